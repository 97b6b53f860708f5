package dev.plinth.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.plinth.builder.BuildResult;
import dev.plinth.oci.Descriptor;
import dev.plinth.oci.Digest;
import dev.plinth.oci.ImageRef;
import dev.plinth.oci.MediaTypes;
import dev.plinth.oci.Platform;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResultLinesTest {
  @Test
  void lines_areTheCliTextFormat() throws Exception {
    Digest top = Digest.of("index".getBytes(StandardCharsets.UTF_8));
    Digest amd = Digest.of("amd64".getBytes(StandardCharsets.UTF_8));
    Digest arm = Digest.of("arm64".getBytes(StandardCharsets.UTF_8));
    BuildResult r = new BuildResult(ImageRef.parse("oci-archive:/t/app.tar"),
        new Descriptor(MediaTypes.OCI_INDEX, top, 100),
        List.of(new BuildResult.PlatformImage(Platform.LINUX_AMD64, amd, 1, 999, 2048, 1500),
            new BuildResult.PlatformImage(Platform.LINUX_ARM64, arm, 5, 45_678_901, 0, 12_345)),
        List.of(Path.of("/t/app.tar.linux-arm64.spdx.json")), List.of("resolved 3 packages"));
    assertEquals(List.of(
        "resolved 3 packages",
        "wrote oci-archive:/t/app.tar (index " + top + ")",
        "  linux/amd64    " + amd + "  1 layer  files 999 B  compressed 1.5 kB",
        "  linux/arm64/v8 " + arm + "  5 layers  files 45.68 MB  compressed 12.3 kB",
        "wrote SBOM /t/app.tar.linux-arm64.spdx.json"), r.lines());
  }
}
