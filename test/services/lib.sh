# SPDX-License-Identifier: Apache-2.0
# Helpers of test/services/start.sh and stop.sh (sourced).

die() {
  echo "services: $*" >&2
  exit 1
}

require_tools() {
  local t missing=()
  for t in "$@"; do command -v "$t" >/dev/null || missing+=("$t"); done
  ((${#missing[@]} == 0)) || die "missing tools: ${missing[*]} (run scripts/install-deps.sh)"
}

random_hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }

# A TCP port on 127.0.0.1 that nothing listens on (and that is not $1).
free_port() {
  local avoid=${1:-0} p i
  for ((i = 0; i < 200; i++)); do
    p=$((20000 + RANDOM % 30000))
    ((p == avoid)) && continue
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  die "no free port found"
}

# Resolves the runtime classpath of POM (downloads what is missing); cached per POM content.
resolve_classpath() {
  local pom=$1 name=$2
  local cache=${SLUICE_SERVICES_CACHE:-${HOME:-/root}/.cache/sluice/services}
  local key
  key=$(sha256sum "$pom" | cut -c1-16)
  local out=$cache/$name-$key.classpath
  if [[ ! -s $out ]] || ! classpath_present "$out"; then
    mkdir -p "$cache"
    echo "services: resolving $name with Maven (first run downloads the jars)" >&2
    mvn -B -q -f "$pom" dependency:build-classpath -Dmdep.outputFile="$out.tmp" >"$cache/$name.mvn.log" 2>&1 ||
      { tail -20 "$cache/$name.mvn.log" >&2; die "Maven could not resolve $name"; }
    mv "$out.tmp" "$out"
  fi
  cat "$out"
}

classpath_present() {
  local jar
  while IFS= read -r -d: jar || [[ -n $jar ]]; do
    [[ -f $jar ]] || return 1
  done <"$1"
}

# start_daemon STATE NAME LOG CMD…: runs CMD detached (own session, no inherited terminal or
# pipes), its pid in STATE/NAME.pid.
start_daemon() {
  local state=$1 name=$2 log=$3
  shift 3
  setsid "$@" </dev/null >"$log" 2>&1 &
  echo $! >"$state/$name.pid"
}

daemon_alive() { [[ -f $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

harness_alive() {
  local state=$1 f any=0
  for f in "$state"/*.pid; do
    [[ -e $f ]] || continue
    any=1
    daemon_alive "$f" || return 1
  done
  ((any))
}

# wait_until SECONDS WHAT STATE NAME CHECK ARGS…: polls CHECK until it succeeds; fails early when
# the daemon NAME died.
wait_until() {
  local secs=$1 what=$2 state=$3 name=$4
  shift 4
  local deadline=$((SECONDS + secs))
  while ((SECONDS < deadline)); do
    "$@" && return 0
    daemon_alive "$state/$name.pid" || { echo "services: $what exited during start-up" >&2; return 1; }
    sleep 0.5
  done
  echo "services: $what not ready after ${secs}s" >&2
  return 1
}

kafka_ready() { kcat -L -b "$1" -m 3 2>/dev/null | grep -q '1 brokers'; }

http_answers() {
  local code
  code=$(curl -s -o /dev/null -m 3 -w '%{http_code}' "$1" 2>/dev/null) || return 1
  [[ $code != 000 ]]
}

stop_daemon() {
  local pidfile=$1 pid i
  pid=$(cat "$pidfile" 2>/dev/null) || { rm -f "$pidfile"; return 1; }
  rm -f "$pidfile"
  kill -0 "$pid" 2>/dev/null || return 1
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  return 0
}

# make_tls DIR: a throw-away CA and a server certificate for 127.0.0.1 (SAN ip:127.0.0.1), made
# with the JDK's keytool. Writes DIR/ca.pem (the CA, PEM), DIR/server.p12 (PKCS12: the server key
# with its chain, and the CA) and DIR/password (the keystore password); only ca.pem is readable
# by others.
make_tls() {
  local dir=$1 pw
  mkdir -p "$dir"
  rm -f "$dir/ca.p12" "$dir/server.p12" "$dir/ca.pem" "$dir/server.pem" "$dir/server.csr"
  pw=$(random_hex 16)
  (umask 077 && printf '%s' "$pw" >"$dir/password")
  local kt=(keytool -storetype PKCS12 -storepass "$pw" -keypass "$pw")
  (
    umask 077
    "${kt[@]}" -genkeypair -keystore "$dir/ca.p12" -alias ca -keyalg RSA -keysize 2048 -validity 30 \
      -dname "CN=sluice test CA" -ext bc:c &&
      "${kt[@]}" -exportcert -keystore "$dir/ca.p12" -alias ca -rfc -file "$dir/ca.pem" &&
      "${kt[@]}" -genkeypair -keystore "$dir/server.p12" -alias server -keyalg RSA -keysize 2048 \
        -validity 30 -dname "CN=127.0.0.1" &&
      "${kt[@]}" -certreq -keystore "$dir/server.p12" -alias server -file "$dir/server.csr" &&
      "${kt[@]}" -gencert -keystore "$dir/ca.p12" -alias ca -infile "$dir/server.csr" -outfile "$dir/server.pem" \
        -rfc -validity 30 -ext SAN=ip:127.0.0.1 -ext KU=digitalSignature,keyEncipherment -ext EKU=serverAuth &&
      "${kt[@]}" -importcert -keystore "$dir/server.p12" -alias ca -file "$dir/ca.pem" -noprompt &&
      "${kt[@]}" -importcert -keystore "$dir/server.p12" -alias server -file "$dir/server.pem"
  ) >"$dir/keytool.log" 2>&1 || { cat "$dir/keytool.log" >&2; die "keytool could not make the test certificates"; }
  chmod 644 "$dir/ca.pem"
}

kafka_ssl_ready() {
  kcat -L -b "$1" -m 3 -X security.protocol=SSL -X "ssl.ca.location=$2" 2>/dev/null | grep -q '1 brokers'
}

https_answers() {
  local code
  code=$(curl -s -o /dev/null -m 3 --cacert "$2" -w '%{http_code}' "$1" 2>/dev/null) || return 1
  [[ $code != 000 ]]
}
