package dev.tracereplay.runsc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * A shell script in runsc's place, for what a real runsc cannot be made to do on purpose (fail to
 * start, never connect): it answers {@code trace metadata} with {@link MetadataExcerpt} and runs
 * {@code behaviour} for {@code do}, with {@code $log} set to the path of the {@code --log} flag. It
 * notes each call in files next to itself.
 */
final class FakeRunsc {
  private final Path script;

  private FakeRunsc(Path script) {
    this.script = script;
  }

  static FakeRunsc create(Path dir, String behaviour) throws IOException {
    Files.writeString(dir.resolve("metadata.txt"), MetadataExcerpt.text());
    Path script = dir.resolve("runsc");
    Files.writeString(script, "#!/bin/sh\n"
        + "here=$(dirname \"$0\")\n"
        + "if [ \"$1\" = trace ] && [ \"$2\" = metadata ]; then\n"
        + "  echo called >> \"$here/metadata-calls\"\n"
        + "  cat \"$here/metadata.txt\"\n"
        + "  exit 0\n"
        + "fi\n"
        + "log=\n"
        + "for a in \"$@\"; do case \"$a\" in --log=*) log=\"${a#--log=}\";; esac; done\n"
        + "printf '%s\\n' \"$@\" > \"$here/do-arguments\"\n"
        + behaviour + "\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    return new FakeRunsc(script);
  }

  Path path() {
    return script;
  }

  /** How many times {@code trace metadata} ran. */
  long metadataCalls() throws IOException {
    Path calls = script.resolveSibling("metadata-calls");
    return Files.exists(calls) ? Files.readAllLines(calls).size() : 0;
  }

  /** The arguments of the last {@code do}, or null if there was none. */
  List<String> doArguments() throws IOException {
    Path arguments = script.resolveSibling("do-arguments");
    return Files.exists(arguments) ? Files.readAllLines(arguments) : null;
  }
}
