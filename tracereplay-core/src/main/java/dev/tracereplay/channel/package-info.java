/**
 * SOCK_SEQPACKET channels, as a service provider interface: {@link dev.tracereplay.channel.SeqPacketChannel}
 * (one connection, whole packets in order) and {@link dev.tracereplay.channel.SeqPacketListener},
 * with {@link dev.tracereplay.channel.PacketBatch} for many packets a call and
 * {@link dev.tracereplay.channel.PeerClosedException}. Implementations: the AF_UNIX socket
 * ({@link dev.tracereplay.channel.UnixSeqPacketChannel#connect(java.nio.file.Path)},
 * {@link dev.tracereplay.channel.UnixSeqPacketListener#bind(java.nio.file.Path)}) and an in-memory
 * pair for tests ({@link dev.tracereplay.channel.InMemorySeqPacketChannel},
 * {@link dev.tracereplay.channel.InMemorySeqPacketListener}). API: the interfaces, the exception,
 * the batch, the factories and the in-memory pair; use the socket classes through the interfaces.
 */
package dev.tracereplay.channel;
