#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the Java Avro oracle (test tooling) into target/; idempotent: does nothing when up to date.
# Prints the path of the launcher script (target/oracle) on success.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$here/target
mkdir -p "$out"
stamp=$out/.built
# Several build trees may run this at once (CTest fixtures): one builds, the others wait.
exec 9>"$out/.lock"
flock 9
up_to_date() {
  [[ -f $stamp && $stamp -nt $here/pom.xml && $stamp -nt $here/build.sh ]] || return 1
  local f
  for f in "$here"/src/*.java; do [[ $stamp -nt $f ]] || return 1; done
}
if up_to_date; then
  echo "$out/oracle"; exit 0
fi
command -v mvn >/dev/null && command -v javac >/dev/null || {
  echo "avro-oracle: needs Maven and a JDK (apt-get install maven default-jdk-headless)" >&2; exit 1; }
mvn -q -B -f "$here/pom.xml" dependency:build-classpath -Dmdep.outputFile="$out/classpath.txt" >&2
rm -rf "$out/classes" && mkdir -p "$out/classes"
javac -nowarn -encoding UTF-8 -cp "$(cat "$out/classpath.txt")" -d "$out/classes" "$here"/src/*.java >&2
cat > "$out/oracle" <<EOS
#!/usr/bin/env bash
exec java -XX:+UseSerialGC -Xss16m -cp "$out/classes:\$(cat "$out/classpath.txt")" Oracle "\$@"
EOS
chmod +x "$out/oracle"
touch "$stamp"
echo "$out/oracle"
