# Sourced by the bench scripts: the project installed, the work directory, and each module's
# test classpath (its test and main classes, then its dependencies).
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$root/bench/work"
log4j="-Dlog4j2.configurationFile=$root/capture-agent/src/main/resources/log4j2.properties"
mkdir -p "$work"
cd "$root"
mvn -B -q -DskipTests install >&2

# test_classpath MODULE
test_classpath() {
  mvn -B -q -pl "$1" test-compile dependency:build-classpath -Dmdep.outputFile="$work/$1-classpath.txt" >&2
  echo "$root/$1/target/test-classes:$root/$1/target/classes:$(cat "$work/$1-classpath.txt")"
}
