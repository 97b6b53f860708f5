package dev.plinth.jvm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Pattern;

/**
 * What plinth knows of Spring Boot apps: how to tell one, and how to make its training run end
 * by itself. Spring Framework 6.1 (Spring Boot 3.2) exits once the application context has
 * been refreshed when the system property {@code spring.context.exit} is {@code onRefresh}:
 * every eager bean exists, the web server is not yet listening. Older versions ignore it.
 */
public final class SpringBoot {
  /** The training run's flag: exit after the context's refresh, as Spring's docs train. */
  public static final String EXIT_ON_REFRESH = "-Dspring.context.exit=onRefresh";
  /** The module training run's flag: were the web server started, only on loopback. */
  public static final String LOOPBACK = "-Dserver.address=127.0.0.1";

  private static final String APPLICATION = "org/springframework/boot/SpringApplication.class";
  private static final Pattern BOOT_JAR = Pattern.compile("spring-boot-[0-9][^/]*\\.jar");

  private SpringBoot() {}

  /**
   * Whether {@code classpath} (the app's jars and class directories, as on the host) is a
   * Spring Boot app: it holds the spring-boot jar (by name or by its SpringApplication class),
   * or a jar whose manifest names a {@code Start-Class} (an executable Boot jar).
   */
  public static boolean isApp(List<Path> classpath) {
    for (Path p : classpath) {
      if (Files.isDirectory(p)) {
        if (Files.isRegularFile(p.resolve(APPLICATION))) {
          return true;
        }
      } else if (Files.isRegularFile(p)) {
        if (BOOT_JAR.matcher(p.getFileName().toString()).matches() || bootJar(p)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean bootJar(Path jar) {
    try (JarFile j = new JarFile(jar.toFile(), false)) {
      Manifest mf = j.getManifest();
      return j.getEntry(APPLICATION) != null
          || (mf != null && mf.getMainAttributes().getValue("Start-Class") != null);
    } catch (IOException | SecurityException | IllegalStateException e) {
      return false;   // not a jar plinth can read: jdeps reports it
    }
  }
}
