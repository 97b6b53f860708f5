package dev.plinth.registry;

import dev.plinth.oci.ImageIndex;
import dev.plinth.oci.ImageRef;
import dev.plinth.oci.ImageSink;
import dev.plinth.oci.ImageSource;
import dev.plinth.oci.Platform;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.Transport;
import java.util.List;

/**
 * A registry ({@code docker://host/repo:tag}, or {@code host/repo:tag} alone): read lazily
 * through {@link RegistrySource}, written through {@link RegistrySink} in the manifest format the
 * options ask for.
 */
public record RegistryTransport(RegistryOptions options) implements Transport {
  @Override
  public List<Platform> check(ImageRef target, List<Platform> platforms) throws PlinthException {
    RegistryRef.parse(target.name());
    return platforms;
  }

  @Override
  public ImageSource source(ImageRef ref) throws PlinthException {
    RegistryRef r = RegistryRef.parse(ref.name());
    return want -> RegistrySource.read(r, options, want);
  }

  @Override
  public ImageSink sink(ImageRef ref) throws PlinthException {
    RegistryRef r = RegistryRef.parse(ref.name());
    return (index, notes) -> {
      ManifestFormat format = options.manifestFormat();
      ImageIndex out = format == null ? index : format.convert(index);
      return RegistrySink.push(out, r, options);
    };
  }
}
