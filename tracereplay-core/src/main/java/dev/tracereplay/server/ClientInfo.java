package dev.tracereplay.server;

/**
 * A connected client, as its handler sees it.
 *
 * @param id the connection's number on this server, from 1, in accept order
 * @param version the wire version the client announced in its handshake (unsigned)
 * @param address the server's address, for messages
 */
public record ClientInfo(long id, int version, String address) {

  @Override
  public String toString() {
    return "client " + id + " on " + address;
  }
}
