#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Starts the real services of the integration tests on 127.0.0.1 (docs/architecture.md §7):
#   - Apache Kafka 4.1.1, one KRaft node (broker + controller), jars resolved by Maven;
#   - S3Proxy 2.7.0, an S3 server that verifies AWS SigV4 signatures (filesystem backend).
# Usage: test/services/start.sh STATE_DIR
# Writes STATE_DIR/services.env (KEY=VALUE lines, read by the tests):
#   SLUICE_TEST_KAFKA_BOOTSTRAP, SLUICE_TEST_S3_ENDPOINT, SLUICE_TEST_S3_REGION,
#   SLUICE_TEST_S3_ACCESS_KEY, SLUICE_TEST_S3_SECRET_KEY, and for TLS:
#   SLUICE_TEST_KAFKA_SSL_BOOTSTRAP (the broker's SSL listener), SLUICE_TEST_S3_TLS_ENDPOINT
#   (https://127.0.0.1:PORT, the same S3Proxy) and SLUICE_TEST_TLS_CA (the PEM of the CA that
#   signed both server certificates; made with keytool at each start, SAN ip:127.0.0.1).
# To run the tests against your own services, export those variables before ctest: a service
# whose variables are set is not started (see the README, "Tests against your own services");
# its TLS variables, if set, are passed on too (SLUICE_TEST_TLS_CA then names the user's CA, unless
# the harness starts a service itself).
# Environment: SLUICE_SERVICES_CACHE (default ~/.cache/sluice/services) keeps the resolved
# classpaths; SLUICE_SERVICES_ONLY=kafka|s3 starts one of the two.
# Stop with test/services/stop.sh STATE_DIR. Idempotent: a running harness in STATE_DIR is reused.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"

(($# == 1)) || { echo "usage: $0 STATE_DIR" >&2; exit 2; }
state=$1
mkdir -p "$state"
state=$(cd "$state" && pwd)
env_file=$state/services.env
only=${SLUICE_SERVICES_ONLY:-}

if [[ -f $env_file ]] && harness_alive "$state"; then
  echo "services: already running (state in $state)"
  exit 0
fi
bash "$here/stop.sh" "$state" >/dev/null 2>&1 || true
mkdir -p "$state"
: >"$env_file.tmp"

require_tools java mvn kcat curl keytool

# --- TLS: one throw-away CA for both servers ---------------------------------------------
tls=$state/tls
ca_pem=${SLUICE_TEST_TLS_CA:-}
if [[ -z ${SLUICE_TEST_KAFKA_BOOTSTRAP:-} && ($only == "" || $only == kafka) ]] ||
  [[ -z ${SLUICE_TEST_S3_ENDPOINT:-} && ($only == "" || $only == s3) ]]; then
  make_tls "$tls"
  ca_pem=$tls/ca.pem
  tls_password=$(cat "$tls/password")
fi
if [[ -n $ca_pem ]]; then echo "SLUICE_TEST_TLS_CA=$ca_pem" >>"$env_file.tmp"; fi

# --- Kafka -------------------------------------------------------------------------------
if [[ -n ${SLUICE_TEST_KAFKA_BOOTSTRAP:-} ]]; then
  echo "services: Kafka from the environment: $SLUICE_TEST_KAFKA_BOOTSTRAP (not started)"
  echo "SLUICE_TEST_KAFKA_BOOTSTRAP=$SLUICE_TEST_KAFKA_BOOTSTRAP" >>"$env_file.tmp"
  if [[ -n ${SLUICE_TEST_KAFKA_SSL_BOOTSTRAP:-} ]]; then
    echo "SLUICE_TEST_KAFKA_SSL_BOOTSTRAP=$SLUICE_TEST_KAFKA_SSL_BOOTSTRAP" >>"$env_file.tmp"
  fi
elif [[ -z $only || $only == kafka ]]; then
  cp=$(resolve_classpath "$here/kafka/pom.xml" kafka)
  port=$(free_port)
  cport=$(free_port "$port")
  sport=$(free_port "$port")
  while ((sport == cport)); do sport=$(free_port "$port"); done
  dir=$state/kafka
  mkdir -p "$dir/data"
  (
    umask 077
    cat >"$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport,SSL://127.0.0.1:$sport
advertised.listeners=PLAINTEXT://127.0.0.1:$port,SSL://127.0.0.1:$sport
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SSL:SSL
ssl.keystore.type=PKCS12
ssl.keystore.location=$tls/server.p12
ssl.keystore.password=$tls_password
ssl.key.password=$tls_password
ssl.client.auth=none
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir/data
auto.create.topics.enable=false
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=2
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
group.min.session.timeout.ms=1000
PROPS
  )
  java_opts=(-Xms128m -Xmx512m -XX:+UseSerialGC "-Dlog4j2.configurationFile=$here/kafka/log4j2.properties")
  cluster_id=$(java -cp "$cp" "${java_opts[@]}" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)
  java -cp "$cp" "${java_opts[@]}" kafka.tools.StorageTool format -t "$cluster_id" \
    -c "$dir/server.properties" >"$dir/format.log" 2>&1 ||
    { cat "$dir/format.log" >&2; die "Kafka storage format failed"; }
  start_daemon "$state" kafka "$dir/broker.log" java -cp "$cp" "${java_opts[@]}" kafka.Kafka "$dir/server.properties"
  wait_until 90 "Kafka on 127.0.0.1:$port" "$state" kafka \
    kafka_ready "127.0.0.1:$port" || { tail -30 "$dir/broker.log" >&2; die "Kafka did not start"; }
  wait_until 30 "Kafka's SSL listener on 127.0.0.1:$sport" "$state" kafka \
    kafka_ssl_ready "127.0.0.1:$sport" "$ca_pem" || { tail -30 "$dir/broker.log" >&2; die "Kafka's SSL listener did not answer"; }
  echo "SLUICE_TEST_KAFKA_BOOTSTRAP=127.0.0.1:$port" >>"$env_file.tmp"
  echo "SLUICE_TEST_KAFKA_SSL_BOOTSTRAP=127.0.0.1:$sport" >>"$env_file.tmp"
  echo "services: Kafka 4.1.1 (KRaft) on 127.0.0.1:$port, SSL on 127.0.0.1:$sport"
fi

# --- S3 ----------------------------------------------------------------------------------
if [[ -n ${SLUICE_TEST_S3_ENDPOINT:-} ]]; then
  echo "services: S3 from the environment: $SLUICE_TEST_S3_ENDPOINT (not started)"
  {
    echo "SLUICE_TEST_S3_ENDPOINT=$SLUICE_TEST_S3_ENDPOINT"
    echo "SLUICE_TEST_S3_REGION=${SLUICE_TEST_S3_REGION:-us-east-1}"
    echo "SLUICE_TEST_S3_ACCESS_KEY=${SLUICE_TEST_S3_ACCESS_KEY:?set SLUICE_TEST_S3_ACCESS_KEY too}"
    echo "SLUICE_TEST_S3_SECRET_KEY=${SLUICE_TEST_S3_SECRET_KEY:?set SLUICE_TEST_S3_SECRET_KEY too}"
    [[ -z ${SLUICE_TEST_S3_TLS_ENDPOINT:-} ]] || echo "SLUICE_TEST_S3_TLS_ENDPOINT=$SLUICE_TEST_S3_TLS_ENDPOINT"
  } >>"$env_file.tmp"
elif [[ -z $only || $only == s3 ]]; then
  cp=$(resolve_classpath "$here/s3proxy/pom.xml" s3proxy)
  port=$(free_port)
  sport=$(free_port "$port")
  dir=$state/s3proxy
  mkdir -p "$dir/blobs"
  access_key=sluice$(random_hex 6)
  secret_key=$(random_hex 20)
  (
    umask 077
    cat >"$dir/s3proxy.conf" <<PROPS
s3proxy.endpoint=http://127.0.0.1:$port
s3proxy.secure-endpoint=https://127.0.0.1:$sport
s3proxy.keystore-path=$tls/server.p12
s3proxy.keystore-password=$tls_password
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$access_key
s3proxy.credential=$secret_key
jclouds.provider=filesystem
jclouds.filesystem.basedir=$dir/blobs
PROPS
  )
  start_daemon "$state" s3proxy "$dir/s3proxy.log" java -cp "$cp" -Xms64m -Xmx384m -XX:+UseSerialGC \
    "-Dlogback.configurationFile=$here/s3proxy/logback.xml" org.gaul.s3proxy.Main --properties "$dir/s3proxy.conf"
  wait_until 60 "S3Proxy on 127.0.0.1:$port" "$state" s3proxy \
    http_answers "http://127.0.0.1:$port/" || { tail -30 "$dir/s3proxy.log" >&2; die "S3Proxy did not start"; }
  wait_until 30 "S3Proxy's HTTPS endpoint on 127.0.0.1:$sport" "$state" s3proxy \
    https_answers "https://127.0.0.1:$sport/" "$ca_pem" || { tail -30 "$dir/s3proxy.log" >&2; die "S3Proxy's HTTPS endpoint did not answer"; }
  (
    umask 077
    {
      echo "SLUICE_TEST_S3_ENDPOINT=http://127.0.0.1:$port"
      echo "SLUICE_TEST_S3_REGION=us-east-1"
      echo "SLUICE_TEST_S3_ACCESS_KEY=$access_key"
      echo "SLUICE_TEST_S3_SECRET_KEY=$secret_key"
      echo "SLUICE_TEST_S3_TLS_ENDPOINT=https://127.0.0.1:$sport"
    } >>"$env_file.tmp"
  )
  echo "services: S3Proxy 2.7.0 on 127.0.0.1:$port, HTTPS on 127.0.0.1:$sport (SigV4 verified, path-style)"
fi

chmod 600 "$env_file.tmp"
mv "$env_file.tmp" "$env_file"
echo "services: ready; environment in $env_file"
