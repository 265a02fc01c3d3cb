package dev.tracereplay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The public API of the built jar, against the committed {@code api/public-api.txt}: the packages
 * the module descriptor exports, and every public or protected type and member in them (the
 * generated protobuf classes by type only: their members follow from gVisor's .proto files). A
 * change to the surface fails here with the difference, so that it is a conscious diff; the same
 * run with {@code -Dtracereplay.api.update=true} rewrites the file instead. And the module
 * descriptor at work: a module on the module path reads the exported packages and not the others.
 * Run by failsafe, after the package phase.
 */
@Timeout(300)
class PublicApiIT {
  static final Path JAR = Path.of(System.getProperty("tracereplay.jar", "missing"));
  static final Path API_FILE = Path.of(System.getProperty("tracereplay.api.file", "api/public-api.txt"));
  static final boolean UPDATE = Boolean.getBoolean("tracereplay.api.update");
  static final String UPDATE_COMMAND = "mvn -B -q -o -pl tracereplay-core -am verify -Dtest=none"
      + " -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=PublicApiIT -Dtracereplay.api.update=true";
  /** Packages of classes protoc generates: listed by type. */
  static final List<String> GENERATED = List.of("dev.tracereplay.points.common", "dev.tracereplay.points.container",
      "dev.tracereplay.points.sentry", "dev.tracereplay.points.syscall");
  static final Duration TIMEOUT = Duration.ofSeconds(120);

  static ModuleDescriptor descriptor;

  @BeforeAll
  static void readDescriptor() {
    assertThat(JAR).as("the jar the package phase built (failsafe passes tracereplay.jar)").isRegularFile();
    descriptor = ModuleFinder.of(JAR).findAll().stream()
        .map(ModuleReference::descriptor)
        .findFirst()
        .orElseThrow();
    assertThat(descriptor.isAutomatic()).as("%s has a module descriptor (META-INF/versions/17/module-info.class)", JAR)
        .isFalse();
  }

  @Test
  void theSurfaceIsTheCommittedOne() throws Exception {
    List<String> built = listing();
    if (UPDATE) {
      Files.createDirectories(API_FILE.toAbsolutePath().getParent());
      Files.write(API_FILE, built, StandardCharsets.UTF_8);
      System.out.println("PublicApiIT: wrote " + API_FILE.toAbsolutePath() + " (" + built.size() + " lines); commit it");
      return;
    }
    assertThat(API_FILE).as("the committed API listing; make it with: %s", UPDATE_COMMAND).isRegularFile();
    List<String> committed = Files.readAllLines(API_FILE, StandardCharsets.UTF_8);
    if (!committed.equals(built)) {
      throw new AssertionError("The public API of tracereplay-core differs from " + API_FILE
          + " (- committed, + built):\n" + difference(committed, built)
          + "\nIf the change is meant, rewrite the file and commit it: " + UPDATE_COMMAND);
    }
  }

  @Test
  void aModuleReadsTheExportedPackages(@TempDir Path dir) throws IOException {
    Path classes = dir.resolve("classes");
    List<Diagnostic<? extends JavaFileObject>> errors = compileConsumer(dir, classes, """
        package consumer;

        import dev.tracereplay.TraceReplayer;
        import dev.tracereplay.points.TraceMessage;
        import dev.tracereplay.points.TraceMessageReader;
        import java.nio.file.Path;

        public class Main {
          static Class<?> replayer = TraceReplayer.class;

          public static void main(String[] args) throws Exception {
            long messages = 0;
            long decoded = 0;
            try (TraceMessageReader reader = TraceMessageReader.open(Path.of(args[0]))) {
              for (TraceMessage message = reader.next(); message != null; message = reader.next()) {
                messages++;
                if (message.decode() != null) {
                  decoded++;
                }
              }
            }
            System.out.println(messages + " messages, " + decoded + " decoded, in "
                + Main.class.getModule().getName() + ", tracereplay in " + TraceReplayer.class.getModule().getName());
          }
        }
        """);
    assertThat(errors).as("errors compiling a module that uses exported packages").isEmpty();

    // And it runs there: the descriptor's requires resolve, protobuf decodes the points in a named module.
    Path trace = Fixtures.copy("true-start.trace", dir);
    String printed = run(dir, "--module-path", classes + File.pathSeparator + modulePath(false),
        "--module", "consumer/consumer.Main", trace.toString());
    assertThat(printed).contains("in consumer, tracereplay in dev.tracereplay.core").doesNotContain(" 0 messages");
  }

  @Test
  void theCommandLineRunsOnTheModulePath(@TempDir Path dir) throws IOException {
    // picocli is an optional dependency (requires static), so it is added by name; the module opens
    // the command line's package to it for its reflection over the annotated commands.
    Path trace = Fixtures.copy("true-start.trace", dir);
    String printed = run(dir, "--module-path", modulePath(true), "--add-modules", "info.picocli",
        "--module", "dev.tracereplay.core/dev.tracereplay.cli.Tracereplay", "stats", "--in=" + trace);
    assertThat(printed).contains("messages:      1", "CONTAINER_START");
  }

  /** Runs java with {@code arguments}, waiting at most {@link #TIMEOUT}; returns what it printed, after exit status 0. */
  static String run(Path dir, String... arguments) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(List.of(arguments));
    Path output = Files.createTempFile(dir, "output", ".txt");
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    try {
      assertThat(process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("%s ended within %s", command, TIMEOUT)
          .isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } finally {
      process.destroyForcibly();
    }
    String printed = Files.readString(output);
    assertThat(process.exitValue()).as("exit status of %s; it printed:%n%s", command, printed).isZero();
    return printed;
  }

  @Test
  void aModuleCannotReachTheCommandLinePackage(@TempDir Path dir) throws IOException {
    List<Diagnostic<? extends JavaFileObject>> errors = compileConsumer(dir, dir.resolve("classes"), """
        package consumer;

        public class Main {
          static Class<?> commandLine = dev.tracereplay.cli.Tracereplay.class;
        }
        """);
    assertThat(errors).as("a module naming a public class of a package tracereplay does not export")
        .singleElement()
        .satisfies(error -> assertThat(error.getCode()).isEqualTo("compiler.err.package.not.visible"))
        .satisfies(error -> assertThat(error.getMessage(Locale.ROOT)).contains("dev.tracereplay.cli"));
  }

  @Test
  void onlyTheCommandLinePackageIsHidden() throws IOException {
    // Every package of classes but the command line's is exported: a new package is hidden only on
    // purpose, by adding it here (and, if other modules of the project need it, a qualified export).
    Set<String> exported = descriptor.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
    Set<String> hidden = new TreeSet<>();
    try (JarFile jar = new JarFile(JAR.toFile())) {
      for (JarEntry entry : Collections.list(jar.entries())) {
        String name = entry.getName();
        if (name.endsWith(".class") && !name.startsWith("META-INF/") && name.contains("/")) {
          String packageName = name.substring(0, name.lastIndexOf('/')).replace('/', '.');
          if (!exported.contains(packageName) && !packageName.startsWith("dev.tracereplay.internal")) {
            hidden.add(packageName);
          }
        }
      }
    }
    assertThat(hidden).as("packages of classes %s does not export", JAR.getFileName()).containsExactly("dev.tracereplay.cli");
  }

  /** Compiles {@code source} as class consumer.Main of module consumer, which requires tracereplay's. */
  static List<Diagnostic<? extends JavaFileObject>> compileConsumer(Path dir, Path classes, String source)
      throws IOException {
    Path sources = Files.createDirectories(dir.resolve("src"));
    Files.writeString(sources.resolve("module-info.java"), "module consumer { requires dev.tracereplay.core; }\n");
    Path main = Files.createDirectories(sources.resolve("consumer")).resolve("Main.java");
    Files.writeString(main, source);
    Files.createDirectories(classes);
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
      List<String> options = List.of("--release", "17", "--module-path", modulePath(false), "-d", classes.toString());
      compiler.getTask(null, files, diagnostics, options, null,
          files.getJavaFileObjects(sources.resolve("module-info.java"), main)).call();
    }
    return diagnostics.getDiagnostics().stream().filter(d -> d.getKind() == Diagnostic.Kind.ERROR).toList();
  }

  /**
   * The jar and the jars of the modules it requires (with {@code withStatic}, the optional ones too),
   * from the test class path.
   */
  static String modulePath(boolean withStatic) {
    Set<String> required = descriptor.requires().stream()
        .filter(r -> withStatic || !r.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC))
        .map(ModuleDescriptor.Requires::name)
        .filter(name -> ModuleLayer.boot().findModule(name).isEmpty())
        .collect(Collectors.toSet());
    List<String> path = new ArrayList<>(List.of(JAR.toString()));
    Set<String> found = new TreeSet<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path jar = Path.of(entry);
      if (entry.endsWith(".jar") && Files.isRegularFile(jar) && !jar.toAbsolutePath().equals(JAR.toAbsolutePath())) {
        try {
          ModuleFinder.of(jar).findAll().stream()
              .map(module -> module.descriptor().name())
              .filter(name -> required.contains(name) && found.add(name))
              .findFirst()
              .ifPresent(name -> path.add(entry));
        } catch (FindException e) {
          // Not a module at all (no valid automatic name): never one tracereplay requires.
        }
      }
    }
    assertThat(found).as("the modules %s requires, on the test class path", JAR.getFileName())
        .containsExactlyInAnyOrderElementsOf(required);
    return String.join(File.pathSeparator, path);
  }

  /** The listing api/public-api.txt holds: sorted, one line a type or member, members indented under their type. */
  static List<String> listing() throws Exception {
    List<String> lines = new ArrayList<>();
    lines.add("# The public API of tracereplay-core: the packages its module exports, and each public or protected");
    lines.add("# type and member in them (generated protobuf classes: types only). Written by PublicApiIT; after a");
    lines.add("# meant change, rewrite it with: " + UPDATE_COMMAND);
    lines.add("module " + descriptor.name());
    descriptor.exports().stream()
        .map(e -> "exports " + e.source() + (e.isQualified() ? " to " + String.join(", ", new TreeSet<>(e.targets())) : ""))
        .sorted()
        .forEach(lines::add);
    Set<String> exported = descriptor.exports().stream()
        .filter(e -> !e.isQualified())
        .map(ModuleDescriptor.Exports::source)
        .collect(Collectors.toSet());
    List<Class<?>> types = new ArrayList<>();
    try (JarFile jar = new JarFile(JAR.toFile())) {
      for (JarEntry entry : Collections.list(jar.entries())) {
        String name = entry.getName();
        if (name.endsWith(".class") && !name.startsWith("META-INF/") && !name.equals("module-info.class")) {
          String className = name.substring(0, name.length() - ".class".length()).replace('/', '.');
          String packageName = className.substring(0, className.lastIndexOf('.'));
          if (exported.contains(packageName)) {
            Class<?> type = Class.forName(className, false, PublicApiIT.class.getClassLoader());
            if (reachable(type)) {
              types.add(type);
            }
          }
        }
      }
    }
    types.sort((a, b) -> a.getName().compareTo(b.getName()));
    for (Class<?> type : types) {
      lines.add(describe(type));
      if (!GENERATED.contains(type.getPackageName())) {
        lines.addAll(members(type));
      }
    }
    return lines;
  }

  /** Whether code outside the package sees the type: public, or protected and nested, all the way out. */
  static boolean reachable(Class<?> type) {
    for (Class<?> t = type; t != null; t = t.getDeclaringClass()) {
      if (t.isAnonymousClass() || t.isLocalClass() || t.isSynthetic() || !visible(t.getModifiers())) {
        return false;
      }
    }
    return true;
  }

  static boolean visible(int modifiers) {
    return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
  }

  static String describe(Class<?> type) {
    StringBuilder line = new StringBuilder();
    int modifiers = type.getModifiers() & Modifier.classModifiers();
    String kind;
    if (type.isAnnotation()) {
      kind = "@interface";
      modifiers &= ~Modifier.ABSTRACT;
    } else if (type.isInterface()) {
      kind = "interface";
      modifiers &= ~Modifier.ABSTRACT;
    } else if (type.isEnum()) {
      kind = "enum";
      modifiers &= ~(Modifier.FINAL | Modifier.ABSTRACT);
    } else if (type.isRecord()) {
      kind = "record";
      modifiers &= ~Modifier.FINAL;
    } else {
      kind = "class";
    }
    if (type.isInterface() || type.isEnum() || type.isRecord()) {
      modifiers &= ~Modifier.STATIC;
    }
    line.append(Modifier.toString(modifiers));
    if (type.isSealed()) {
      line.append(" sealed");
    }
    line.append(' ').append(kind).append(' ').append(type.getTypeName()).append(typeParameters(type.getTypeParameters()));
    Type superclass = type.getGenericSuperclass();
    if (superclass != null && superclass != Object.class && !type.isEnum() && !type.isRecord()) {
      line.append(" extends ").append(superclass.getTypeName());
    }
    Type[] interfaces = type.getGenericInterfaces();
    if (interfaces.length > 0) {
      line.append(type.isInterface() ? " extends " : " implements ")
          .append(Arrays.stream(interfaces).map(Type::getTypeName).collect(Collectors.joining(", ")));
    }
    if (type.isSealed()) {
      line.append(" permits ").append(Arrays.stream(type.getPermittedSubclasses())
          .map(Class::getTypeName).sorted().collect(Collectors.joining(", ")));
    }
    return line.toString().strip();
  }

  static List<String> members(Class<?> type) throws IllegalAccessException {
    List<String> members = new ArrayList<>();
    for (Field field : type.getDeclaredFields()) {
      if (visible(field.getModifiers()) && !field.isSynthetic()) {
        String line = "  " + Modifier.toString(field.getModifiers() & Modifier.fieldModifiers()) + " " + field.getGenericType().getTypeName()
            + " " + field.getName();
        if (constant(field)) {
          Object value = field.get(null);
          line += " = " + (value instanceof String text ? quote(text) : value);
        }
        members.add(line);
      }
    }
    for (Constructor<?> constructor : type.getDeclaredConstructors()) {
      if (visible(constructor.getModifiers()) && !constructor.isSynthetic()) {
        members.add("  " + signature(constructor, type.getSimpleName()));
      }
    }
    for (Method method : type.getDeclaredMethods()) {
      if (visible(method.getModifiers()) && !method.isSynthetic() && !method.isBridge()) {
        int modifiers = method.getModifiers() & Modifier.methodModifiers();
        if (type.isInterface()) {
          modifiers &= ~Modifier.ABSTRACT;
        }
        members.add("  " + Stream.of(Modifier.toString(modifiers), method.isDefault() ? "default" : "",
                typeParameters(method.getTypeParameters()), method.getGenericReturnType().getTypeName(),
                signature(method, method.getName()))
            .filter(part -> !part.isEmpty())
            .collect(Collectors.joining(" ")));
      }
    }
    Collections.sort(members);
    return members;
  }

  /** A compile-time constant: its value is inlined into the code that uses it, so it is API too. */
  static boolean constant(Field field) {
    int modifiers = field.getModifiers();
    return Modifier.isStatic(modifiers) && Modifier.isFinal(modifiers)
        && (field.getType().isPrimitive() || field.getType() == String.class);
  }

  /** Name, parameters and exceptions; a constructor's modifiers first (a method's come with its return type). */
  static String signature(Executable executable, String name) {
    String parameters = Arrays.stream(executable.getGenericParameterTypes()).map(Type::getTypeName)
        .collect(Collectors.joining(", "));
    if (executable.isVarArgs()) {
      parameters = parameters.replaceFirst("\\[\\]$", "...");
    }
    String exceptions = Arrays.stream(executable.getGenericExceptionTypes()).map(Type::getTypeName)
        .collect(Collectors.joining(", "));
    String modifiers = executable instanceof Constructor<?>
        ? Stream.of(Modifier.toString(executable.getModifiers() & Modifier.constructorModifiers()), typeParameters(executable.getTypeParameters()), "")
            .filter(part -> !part.isEmpty())
            .collect(Collectors.joining(" ")) + " "
        : "";
    return modifiers + name + "(" + parameters + ")" + (exceptions.isEmpty() ? "" : " throws " + exceptions);
  }

  static String typeParameters(TypeVariable<?>[] variables) {
    if (variables.length == 0) {
      return "";
    }
    return Arrays.stream(variables)
        .map(v -> v.getName() + (v.getBounds().length == 1 && v.getBounds()[0] == Object.class ? ""
            : " extends " + Arrays.stream(v.getBounds()).map(Type::getTypeName).collect(Collectors.joining(" & "))))
        .collect(Collectors.joining(", ", "<", ">"));
  }

  static String quote(String text) {
    StringBuilder quoted = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      quoted.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? String.valueOf(c) : String.format("\\u%04x", (int) c));
    }
    return quoted.append('"').toString();
  }

  /** The lines only in one list, each member after its type: - for committed, + for built. */
  static String difference(List<String> committed, List<String> built) {
    List<String> before = qualified(committed);
    List<String> after = qualified(built);
    Set<String> beforeSet = Set.copyOf(before);
    Set<String> afterSet = Set.copyOf(after);
    return Stream.concat(
            before.stream().filter(line -> !afterSet.contains(line)).map(line -> "- " + line),
            after.stream().filter(line -> !beforeSet.contains(line)).map(line -> "+ " + line))
        .limit(200)
        .collect(Collectors.joining("\n"));
  }

  /** Each member line (indented) prefixed with its type's line, so that a member is told from one of another type. */
  static List<String> qualified(List<String> lines) {
    List<String> qualified = new ArrayList<>();
    String type = "";
    for (String line : lines) {
      if (line.startsWith("  ")) {
        qualified.add(type + " :: " + line.strip());
      } else {
        type = line;
        qualified.add(line);
      }
    }
    return qualified;
  }
}
