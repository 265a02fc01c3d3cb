package dev.tracereplay.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class OptionValuesTest {

  @Test
  void sizesTakeBinarySuffixes() {
    OptionValues.Bytes bytes = new OptionValues.Bytes();
    assertThat(bytes.convert("0")).isZero();
    assertThat(bytes.convert("1048576")).isEqualTo(1L << 20);
    assertThat(bytes.convert("256K")).isEqualTo(256L << 10);
    assertThat(bytes.convert("1m")).isEqualTo(1L << 20);
    assertThat(bytes.convert("10G")).isEqualTo(10L << 30);
    assertThatThrownBy(() -> bytes.convert("1.5M")).isInstanceOf(TypeConversionException.class);
    assertThatThrownBy(() -> bytes.convert("9999999999999999999G")).hasMessage("'9999999999999999999G' is too large");
  }

  @Test
  void limitsAreFromOneByteToOneGibibyte() {
    OptionValues.Limit limit = new OptionValues.Limit();
    assertThat(limit.convert("1")).isEqualTo(1);
    assertThat(limit.convert("1G")).isEqualTo(1 << 30);
    assertThatThrownBy(() -> limit.convert("0")).hasMessage("'0' is out of range: from 1 byte to 1G");
    assertThatThrownBy(() -> limit.convert("2G")).hasMessage("'2G' is out of range: from 1 byte to 1G");
  }

  @Test
  void durationsAreSecondsUnlessAUnitSaysOtherwise() {
    OptionValues.Time time = new OptionValues.Time();
    assertThat(time.convert("30")).isEqualTo(Duration.ofSeconds(30));
    assertThat(time.convert("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(time.convert("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(time.convert("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(time.convert("0")).isEqualTo(Duration.ZERO);
    assertThatThrownBy(() -> time.convert("-1s")).isInstanceOf(TypeConversionException.class)
        .hasMessage("'-1s' is not a duration: use e.g. 500ms, 2s, 1m or 1h");
  }

  @Test
  void durationsHaveTheLimitOfAHundredYears() {
    OptionValues.Time time = new OptionValues.Time();
    assertThat(time.convert("876000h")).isEqualTo(OptionValues.Time.MAX).isEqualTo(Duration.ofDays(36_500));
    assertThatThrownBy(() -> time.convert("876001h")).isInstanceOf(TypeConversionException.class)
        .hasMessage("'876001h' is longer than a time option may be: at most 876000h");
    assertThatThrownBy(() -> time.convert("99999999999999999999")).isInstanceOf(TypeConversionException.class)
        .hasMessage("'99999999999999999999' is longer than a time option may be: at most 876000h");
  }

  @Test
  void modesAreOctal() {
    assertThat(new OptionValues.SocketMode().convert("0660").permissions())
        .isEqualTo(PosixFilePermissions.fromString("rw-rw----"));
    assertThat(new OptionValues.SocketMode().convert("600").backlog()).isEqualTo(128);
    assertThatThrownBy(() -> new OptionValues.SocketMode().convert("rw"))
        .isInstanceOf(TypeConversionException.class).hasMessage("socket mode must be octal like 0600, was 'rw'");
    assertThatThrownBy(() -> new OptionValues.SocketMode().convert("1777"))
        .hasMessage("socket mode must be between 0000 and 0777, was '1777'");
  }

  @Test
  void fileModesGiveOwnerReadAndWriteAndNoExecute() {
    assertThat(new OptionValues.FileMode().convert("0640")).isEqualTo(PosixFilePermissions.fromString("rw-r-----"));
    assertThatThrownBy(() -> new OptionValues.FileMode().convert("0400")).isInstanceOf(TypeConversionException.class)
        .hasMessage("a recording's mode must have owner read and write and no execute bits (0600 to 0666), was r--------");
    assertThatThrownBy(() -> new OptionValues.FileMode().convert("0755")).isInstanceOf(TypeConversionException.class);
    assertThatThrownBy(() -> new OptionValues.FileMode().convert("x")).hasMessage("file mode must be octal like 0600, was 'x'");
  }
}
