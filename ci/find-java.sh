#!/usr/bin/env bash
# Prints the path of a `java` of version 25 or newer, or fails with one line saying where it looked.
# Order: $AX_JAVA, $JAVA_HOME, `java` on the PATH, then the usual install folders (/usr/lib/jvm).
set -euo pipefail

major() { # the feature version of a java binary, e.g. 25
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -n1
}

candidates=()
[ -n "${AX_JAVA:-}" ] && candidates+=("$AX_JAVA")
[ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME/bin/java")
command -v java >/dev/null 2>&1 && candidates+=("$(command -v java)")
for d in /usr/lib/jvm/* /opt/java/* /usr/local/lib/jvm/*; do
  [ -x "$d/bin/java" ] && candidates+=("$d/bin/java")
done

for j in "${candidates[@]}"; do
  [ -x "$j" ] || continue
  v=$(major "$j" || true)
  if [ -n "$v" ] && [ "$v" -ge 25 ] 2>/dev/null; then
    echo "$j"
    exit 0
  fi
done
echo "no Java 25 or newer found (looked at \$AX_JAVA, \$JAVA_HOME, java on the PATH, /usr/lib/jvm, /opt/java); install a JDK 25, e.g. Temurin 25" >&2
exit 1
