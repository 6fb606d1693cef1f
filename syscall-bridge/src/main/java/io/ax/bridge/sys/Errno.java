package io.ax.bridge.sys;

/** Linux x86_64 errno values the bridge uses, with their names for messages. */
public final class Errno {
  public static final int EPERM = 1;
  public static final int ENOENT = 2;
  public static final int ESRCH = 3;
  public static final int EINTR = 4;
  public static final int EBADF = 9;
  public static final int EAGAIN = 11;
  public static final int ENOMEM = 12;
  public static final int EACCES = 13;
  public static final int EFAULT = 14;
  public static final int EINVAL = 22;
  public static final int EMFILE = 24;
  public static final int ENOSYS = 38;
  public static final int ENOTSOCK = 88;
  public static final int ENOBUFS = 105;
  public static final int ECONNABORTED = 103;
  public static final int EDESTADDRREQ = 89;
  public static final int EMSGSIZE = 90;
  public static final int EPROTOTYPE = 91;
  public static final int ENOPROTOOPT = 92;
  public static final int EPROTONOSUPPORT = 93;
  public static final int EOPNOTSUPP = 95;
  public static final int EAFNOSUPPORT = 97;
  public static final int EADDRINUSE = 98;
  public static final int EADDRNOTAVAIL = 99;
  public static final int ENETUNREACH = 101;
  public static final int ECONNRESET = 104;
  public static final int EISCONN = 106;
  public static final int ENOTCONN = 107;
  public static final int ETIMEDOUT = 110;
  public static final int ECONNREFUSED = 111;
  public static final int EHOSTUNREACH = 113;
  public static final int EALREADY = 114;
  public static final int EINPROGRESS = 115;

  private Errno() {}

  /** {@code ECONNREFUSED (111)}, or the number alone for ones not listed. */
  public static String describe(int errno) {
    String name = switch (errno) {
      case EPERM -> "EPERM";
      case ENOENT -> "ENOENT";
      case ESRCH -> "ESRCH";
      case EINTR -> "EINTR";
      case EBADF -> "EBADF";
      case EAGAIN -> "EAGAIN";
      case ENOMEM -> "ENOMEM";
      case EACCES -> "EACCES";
      case EFAULT -> "EFAULT";
      case EINVAL -> "EINVAL";
      case EMFILE -> "EMFILE";
      case ENOSYS -> "ENOSYS";
      case ENOTSOCK -> "ENOTSOCK";
      case ENOBUFS -> "ENOBUFS";
      case ECONNABORTED -> "ECONNABORTED";
      case EOPNOTSUPP -> "EOPNOTSUPP";
      case EAFNOSUPPORT -> "EAFNOSUPPORT";
      case EADDRINUSE -> "EADDRINUSE";
      case EADDRNOTAVAIL -> "EADDRNOTAVAIL";
      case ENETUNREACH -> "ENETUNREACH";
      case ECONNRESET -> "ECONNRESET";
      case EISCONN -> "EISCONN";
      case ENOTCONN -> "ENOTCONN";
      case ETIMEDOUT -> "ETIMEDOUT";
      case ECONNREFUSED -> "ECONNREFUSED";
      case EHOSTUNREACH -> "EHOSTUNREACH";
      case EALREADY -> "EALREADY";
      case EINPROGRESS -> "EINPROGRESS";
      default -> null;
    };
    return name == null ? "errno " + errno : name + " (" + errno + ")";
  }
}
