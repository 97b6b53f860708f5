package dev.plinth.maven;

import dev.plinth.oci.PlinthException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The main class, found as jib-maven-plugin finds it and then some: the goal's {@code mainClass};
 * maven-jar-plugin's manifest mainClass when it is a class name once resolved (a Spring Boot
 * parent's {@code ${start-class}} is not, in a project that sets no start-class); the properties
 * {@code start-class} (Spring Boot) and {@code exec.mainClass} (Micronaut, exec-maven-plugin);
 * spring-boot-maven-plugin's and exec-maven-plugin's mainClass; else the one class of the
 * project's compiled classes with a main method.
 */
final class MainClassResolver {
  static final Pattern CLASS_NAME =
      Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)*");
  static final String JAR_PLUGIN = "org.apache.maven.plugins:maven-jar-plugin";
  static final String SPRING_BOOT_PLUGIN = "org.springframework.boot:spring-boot-maven-plugin";
  static final String EXEC_PLUGIN = "org.codehaus.mojo:exec-maven-plugin";
  private static final List<String> PROPERTIES = List.of("start-class", "exec.mainClass");

  private MainClassResolver() {}

  /**
   * @param configured the goal's mainClass parameter, or null
   * @throws PlinthException USAGE when no source names one and the classes hold none or several
   *     (naming them)
   */
  static Choice<String> resolve(String configured, PomView pom, ClassFiles classes)
      throws PlinthException {
    if (configured != null && !configured.isBlank()) {
      return new Choice<>(configured.trim(), "plinth-maven-plugin's mainClass");
    }
    List<String> unusable = new ArrayList<>();
    String jar = pom.pluginValue(JAR_PLUGIN, "default-jar", "archive", "manifest", "mainClass");
    if (valid(jar)) {
      return new Choice<>(jar, "maven-jar-plugin's manifest mainClass");
    }
    if (jar != null) {
      unusable.add("maven-jar-plugin's mainClass '" + jar + "'");
    }
    for (String property : PROPERTIES) {
      String v = pom.property(property);
      if (valid(v)) {
        return new Choice<>(v, "the property " + property);
      }
      if (v != null) {
        unusable.add("the property " + property + " '" + v + "'");
      }
    }
    for (String plugin : List.of(SPRING_BOOT_PLUGIN, EXEC_PLUGIN)) {
      String v = pom.pluginValue(plugin, "default", "mainClass");
      String name = plugin.substring(plugin.indexOf(':') + 1);
      if (valid(v)) {
        return new Choice<>(v, name + "'s mainClass");
      }
      if (v != null) {
        unusable.add(name + "'s mainClass '" + v + "'");
      }
    }
    List<String> mains = classes.scan().mains();
    String besides = unusable.isEmpty() ? ""
        : "; " + String.join(", ", unusable) + (unusable.size() == 1 ? " is" : " are")
            + " not a class name";
    if (mains.size() == 1) {
      return new Choice<>(mains.get(0), "the one class with a main method in "
          + classes.dir().getFileName() + besides);
    }
    String set = " in plinth-maven-plugin's <configuration> (or -Dplinth.mainClass=...)";
    if (mains.isEmpty()) {
      throw new PlinthException(PlinthException.Kind.USAGE, "no main class: no class in "
          + classes.dir() + " has a main method, and the project names none" + besides
          + "; set <mainClass>" + set);
    }
    throw new PlinthException(PlinthException.Kind.USAGE, "no main class: " + mains.size()
        + " classes in " + classes.dir() + " have a main method (" + String.join(", ", mains)
        + ")" + besides + "; pick one with <mainClass>" + mains.get(0) + "</mainClass>" + set);
  }

  static boolean valid(String name) {
    return name != null && CLASS_NAME.matcher(name).matches();
  }
}
