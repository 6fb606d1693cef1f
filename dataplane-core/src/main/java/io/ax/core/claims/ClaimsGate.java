package io.ax.core.claims;

import io.ax.core.claims.ClaimRule.Claim;
import io.ax.core.claims.ClaimRule.Principal;
import io.ax.core.claims.ClaimRule.Sharing;
import io.ax.core.field.InvalidFieldException;
import io.ax.core.model.App;
import io.ax.core.model.AppId;
import io.ax.core.model.Labels;
import io.ax.core.model.VService;
import io.ax.core.net.Ipv4;
import io.ax.core.state.DataplaneState;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Decides whether a user may claim an app's labels, vIP and name (issue 17: identity in the mesh
 * is not the launcher's word). The model:
 *
 * <ul>
 *   <li>root claims anything, as before the policy existed;
 *   <li>every other user owns the labels whose key starts with its login name and a slash
 *       ({@code alice/role=prod}; the uid when the node has no name for it): nobody else but root
 *       may claim them;
 *   <li>anything else needs a rule of the {@link ClaimsPolicy} for that user;
 *   <li>a vIP or name that another user's apps hold (on any node, or a vservice's, which an
 *       administrator made) needs a rule that says {@code join}: an owner keeps its clients.
 * </ul>
 *
 * Stateless besides its immutable policy: thread-safe; every check reads the snapshot given.
 */
public final class ClaimsGate {
  private final ClaimsPolicy policy;
  private final Accounts accounts;

  public ClaimsGate(ClaimsPolicy policy, Accounts accounts) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.accounts = Objects.requireNonNull(accounts, "accounts");
  }

  /** The built-in policy over the node's account files. */
  public static ClaimsGate builtIn() {
    return new ClaimsGate(ClaimsPolicy.BUILT_IN, new EtcAccounts());
  }

  public ClaimsPolicy policy() {
    return policy;
  }

  /**
   * The label prefix {@code c} owns: its login name and a slash, or its uid and a slash when it
   * has no name here.
   */
  public String namespaceOf(Claimant c) {
    return who(c) + "/";
  }

  /**
   * @throws InvalidFieldException naming {@code --labels} and the first label {@code c} may not claim
   */
  public void checkLabels(Claimant c, Labels labels) {
    if (c.isRoot()) {
      return;
    }
    String own = namespaceOf(c);
    for (Map.Entry<String, String> l : labels.entries().entrySet()) {
      String key = l.getKey();
      if (key.startsWith(own) && key.length() > own.length()) {
        continue;
      }
      if (granted(c, claim -> claim instanceof Claim.Label p && p.matches(key, l.getValue()), Sharing.UNHELD)) {
        continue;
      }
      throw new InvalidFieldException("--labels", "'" + key + "=" + l.getValue() + "' is not yours to claim: " + describe(c) + " may claim labels '"
          + own + "KEY=VALUE' and those " + policy.source() + " grants it");
    }
  }

  /**
   * Checks an {@code --ip} the app asked for (not the one the daemon picks for it).
   *
   * @param node this node's name: only its apps can be the claimant's own
   * @param self the id the app registers under, whose own hold is no other's (the caller has
   *     checked that the id may be the claimant's)
   * @throws InvalidFieldException naming {@code --ip}
   */
  public void checkIp(DataplaneState s, String node, Claimant c, AppId self, Ipv4 ip) {
    if (c.isRoot()) {
      return;
    }
    Optional<String> holder = s.apps().values().stream().filter(a -> a.appIp().equals(ip) && !ownApp(a, node, c, self)).findFirst().map(ClaimsGate::describe)
        .or(() -> s.vservices().values().stream().filter(v -> v.ip().equals(ip)).findFirst().map(v -> "vservice '" + v.name() + "'"));
    check("--ip", ip.toString(), c, claim -> claim instanceof Claim.Ip block && block.contains(ip), holder);
  }

  /**
   * Checks a {@code --name} the app asked for.
   *
   * @throws InvalidFieldException naming {@code --name}
   */
  public void checkName(DataplaneState s, String node, Claimant c, AppId self, String name) {
    if (c.isRoot()) {
      return;
    }
    Optional<String> holder = s.apps().values().stream().filter(a -> a.name().equals(name) && !ownApp(a, node, c, self)).findFirst().map(ClaimsGate::describe)
        .or(() -> s.vservices().values().stream().filter(v -> v.name().equals(name) || v.hostnames().contains(name)).findFirst().map(ClaimsGate::describe));
    check("--name", "'" + name + "'", c, claim -> claim instanceof Claim.Name n && n.pattern().matches(name), holder);
  }

  private void check(String flag, String shown, Claimant c, Predicate<Claim> covers, Optional<String> holder) {
    if (holder.isEmpty()) {
      if (!granted(c, covers, Sharing.UNHELD)) {
        throw new InvalidFieldException(flag, shown + " is not yours to claim: " + policy.source() + " grants " + describe(c) + " no " + kind(flag) + " rule that covers it");
      }
    } else if (!granted(c, covers, Sharing.JOIN)) {
      throw new InvalidFieldException(flag, shown + " is held by " + holder.get() + "; " + describe(c) + " may join it only through a '" + kind(flag) + " ... join' rule in "
          + policy.source());
    }
  }

  private static String kind(String flag) {
    return flag.substring(2);
  }

  /** Whether a rule for {@code c} grants a claim that {@code covers} matches, with at least {@code sharing}. */
  private boolean granted(Claimant c, Predicate<Claim> covers, Sharing sharing) {
    for (ClaimRule r : policy.rules()) {
      if ((sharing == Sharing.UNHELD || r.sharing() == Sharing.JOIN) && covers.test(r.what()) && isFor(r.who(), c)) {
        return true;
      }
    }
    return false;
  }

  private boolean isFor(Principal p, Claimant c) {
    return switch (p) {
      case Principal.AnyUser any -> true;
      case Principal.Uid u -> u.uid() == c.uid();
      case Principal.Gid g -> c.inGroup(g.gid());
      case Principal.User u -> accounts.userName(c.uid()).map(u.name()::equals).orElse(false);
      case Principal.Group g -> {
        var gid = accounts.groupId(g.name());
        yield gid.isPresent() && c.inGroup(gid.getAsInt());
      }
    };
  }

  /** The app itself, or another app of this node registered by the same user (restored ones included). */
  private static boolean ownApp(App a, String node, Claimant c, AppId self) {
    return a.id().equals(self) || a.nodeId().equals(node) && a.ownerUid() == c.uid();
  }

  private String who(Claimant c) {
    return accounts.userName(c.uid()).orElse(Integer.toString(c.uid()));
  }

  private String describe(Claimant c) {
    return accounts.userName(c.uid()).map(n -> "user " + n + " (uid " + c.uid() + ")").orElse("uid " + c.uid());
  }

  private static String describe(App a) {
    String owner = a.ownerUid() == App.UNKNOWN_UID ? "an unknown user" : "uid " + a.ownerUid();
    return "app " + a.id().value() + " '" + a.name() + "' of " + owner + " on node " + a.nodeId();
  }

  private static String describe(VService v) {
    return "vservice '" + v.name() + "'";
  }
}
