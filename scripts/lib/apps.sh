# Sourced by scripts/bench-jib and scripts/bench-registry: the apps their figures are measured
# on, assembled from Maven Central and generated sources, the same way for both.
# The caller provides: $work (a scratch directory), quiet LOG CMD... (runs CMD, its output in
# LOG, shown only on failure, and stops the script then), and mvn_q (Maven's command and flags).

# The large app: about 100 MB of jars with their runtime dependencies, plus 3,000 generated
# classes and 300 resources (apps_generated DIR 30 100 300).
LARGE_APP_ARTIFACTS=(
  org.springframework.boot:spring-boot-starter-web:4.0.7
  org.hibernate.orm:hibernate-core:7.4.15.Final
  com.google.guava:guava:33.8.0-jre
  com.fasterxml.jackson.core:jackson-databind:2.23.0
  org.scala-lang:scala-library:2.13.18
  org.jetbrains.kotlin:kotlin-stdlib:2.4.21
  org.apache.groovy:groovy:5.0.8
  org.apache.lucene:lucene-core:9.12.3
  org.apache.poi:poi-ooxml:5.5.1
  com.h2database:h2:2.5.252
  org.bouncycastle:bcprov-jdk18on:1.87
  org.postgresql:postgresql:42.7.14
  com.google.protobuf:protobuf-java:4.36.2
  org.apache.pdfbox:pdfbox:3.0.8
  org.apache.commons:commons-lang3:3.22.0
)

# apps_jars DIR G:A:V...: the artifacts and their runtime dependencies into DIR/lib.
apps_jars() {
  local dir=$1 deps="" gav g a v; shift
  for gav in "$@"; do
    IFS=: read -r g a v <<<"$gav"
    deps+="    <dependency><groupId>$g</groupId><artifactId>$a</artifactId><version>$v</version></dependency>
"
  done
  mkdir -p "$dir/deps"
  cat >"$dir/deps/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>bench</groupId><artifactId>deps</artifactId><version>1</version><packaging>pom</packaging>
  <dependencies>
$deps  </dependencies>
</project>
EOF
  quiet "$dir/deps/log" "${mvn_q[@]}" -f "$dir/deps/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$dir/lib"
}

# apps_generated DIR PACKAGES CLASSES RESOURCES: sources written by GenApp (deterministic) into
# DIR/src, compiled for Java 17 into DIR/classes with the resources; DIR/main names the main class.
apps_generated() {
  local dir=$1 gen=$work/apps-genapp
  if [ ! -f "$gen/GenApp.class" ]; then
    mkdir -p "$gen"
    quiet "$gen/javac.log" javac --release 17 -nowarn -d "$gen" \
      "$(dirname "${BASH_SOURCE[0]}")/../bench-jib.d/GenApp.java"
  fi
  mkdir -p "$dir/src" "$dir/classes"
  java -cp "$gen" GenApp "$dir/src" "$dir/classes" "$2" "$3" "$4"
  find "$dir/src" -name '*.java' | sort >"$dir/sources.txt"
  quiet "$dir/javac.log" javac --release 17 -nowarn -d "$dir/classes" @"$dir/sources.txt"
  echo bench.app.Main >"$dir/main"
}

# apps_large DIR: the large app in DIR (lib/, classes/, main).
apps_large() {
  apps_jars "$1" "${LARGE_APP_ARTIFACTS[@]}"
  apps_generated "$1" 30 100 300
}
