/**
 * tracereplay's library: record gVisor runsc trace sessions to files and replay them.
 *
 * <p>The exported packages are the API, and every public type in them is part of it; the list,
 * with each public and protected member, is {@code tracereplay-core/api/public-api.txt}, which
 * the build compares with the jar ({@code PublicApiIT}). Code that is public only because another
 * package of this module calls it lives in a package that is not exported ({@code dev.tracereplay.cli},
 * and {@code dev.tracereplay.internal.*} as it grows). README.md's "API" section says which
 * package is for what.
 *
 * <p>This descriptor is compiled into {@code META-INF/versions/17} of a multi-release jar: the
 * module path sees a named module, the class path (where the tests and the command line run) sees
 * the same classes as before.
 */
module dev.tracereplay.core {
  // protobuf's types appear in the API (TraceMessage, the generated point classes), so a user's
  // module reads protobuf through this one.
  requires transitive com.google.protobuf;
  requires org.newsclub.net.unix;
  requires org.slf4j;
  // The command line only: picocli is an optional dependency, absent from a library user's path.
  requires static info.picocli;
  // sun.misc.Signal, for the command line's stop signals.
  requires jdk.unsupported;

  // The front door: TraceReplayer, TraceRecorder, ReplayResult, ReplayException, ReplayListener.
  exports dev.tracereplay;
  // SOCK_SEQPACKET channels, as a service provider interface: the socket and the in-memory pair.
  exports dev.tracereplay.channel;
  // The trace file format, for tools: reading, writing, verifying, and its exceptions.
  exports dev.tracereplay.file;
  // What a recording yields and how a recorder reports it.
  exports dev.tracereplay.record;
  // Shaping a replay: faults, a message range, types, pacing.
  exports dev.tracereplay.replay;
  // Running a sandbox under runsc with a trace session.
  exports dev.tracereplay.runsc;
  // The sink framework: a server speaking the sink's side of the protocol to each client.
  exports dev.tracereplay.server;
  // A sink for tests that keeps what it receives, with no test framework in it.
  exports dev.tracereplay.testing;
  // The wire protocol's messages: header, types, malformed messages.
  exports dev.tracereplay.wire;
  // The typed trace points, and the protobuf classes generated from gVisor's .proto files.
  exports dev.tracereplay.points;
  exports dev.tracereplay.points.common;
  exports dev.tracereplay.points.container;
  exports dev.tracereplay.points.sentry;
  exports dev.tracereplay.points.syscall;

  // Not exported: dev.tracereplay.cli, whose main class the launcher runs from the class path (on
  // the module path: --add-modules info.picocli -m dev.tracereplay.core/dev.tracereplay.cli.Tracereplay).
  // picocli reads its commands' annotated fields and methods reflectively.
  opens dev.tracereplay.cli to info.picocli;
}
