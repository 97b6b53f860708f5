import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.JavaContainerBuilder;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Jib's engine without Maven: the jib-core API (as embedded in jib-maven-plugin 3.5.2, run from
 * its jar) building what scripts/bench-jib's generated Maven project builds: FROM scratch, jars as
 * dependencies, classes and resources from one directory, the runtime directory at
 * /opt/java/openjdk (its executables 755, as the project's extraDirectories say), OCI format, to
 * a tar. The lower bound of a Jib build as one process: a plain JVM, no Maven.
 *
 * <p>java -cp JIB_CLASSPATH:. JibCore CLASSES LIB_DIR RUNTIME MAIN_CLASS OUT_TAR APP_CACHE
 * BASE_CACHE
 */
public final class JibCore {
  public static void main(String[] args) throws Exception {
    Path classes = Path.of(args[0]);
    Path lib = Path.of(args[1]);
    Path runtime = Path.of(args[2]);
    String mainClass = args[3];
    Path out = Path.of(args[4]);
    List<Path> jars;
    try (Stream<Path> s = Files.list(lib)) {
      jars = s.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
    }
    FileEntriesLayer runtimeLayer = FileEntriesLayer.builder().setName("extra files")
        .addEntryRecursive(runtime, AbsoluteUnixPath.get("/opt/java/openjdk"),
            (source, inContainer) -> {
              if (Files.isDirectory(source)) {
                return FilePermissions.DEFAULT_FOLDER_PERMISSIONS;
              }
              return Files.isExecutable(source)
                  ? FilePermissions.fromOctalString("755") : FilePermissions.DEFAULT_FILE_PERMISSIONS;
            })
        .build();
    JavaContainerBuilder.from("scratch")
        .addResources(classes, p -> !p.getFileName().toString().endsWith(".class"))
        .addClasses(classes, p -> p.getFileName().toString().endsWith(".class"))
        .addDependencies(jars)
        .setMainClass(mainClass)
        .toContainerBuilder()
        .addFileEntriesLayer(runtimeLayer)
        .setFormat(ImageFormat.OCI)
        .containerize(Containerizer.to(TarImage.at(out).named("bench"))
            .setApplicationLayersCache(Path.of(args[5]))
            .setBaseImageLayersCache(Path.of(args[6]))
            .setOfflineMode(true)
            .setToolName("bench-jib-core"));
  }
}
