package io.ragmill.loadtest;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A minimal HTTP/1.1 keep-alive client: one blocking socket and one thread per connection, requests
 * taken from a shared queue. It exists because the load generator shares the machine with the node:
 * java.net.http used about 380 µs of CPU per request and Pekko's client about 560 µs (measured on
 * this 2-core machine), which capped a trivial endpoint near 1,800 req/s; this client needs a few
 * tens of µs. It speaks only what the load test sends and Pekko HTTP answers: Content-Length or
 * chunked bodies, keep-alive, reconnect after an error or {@code Connection: close}.
 */
public final class SocketHttpTarget implements HttpTarget {
  private record Job(byte[] request, CompletableFuture<Reply> result) {}

  private static final Job STOP = new Job(new byte[0], null);

  private final String host;
  private final int port;
  private final String hostHeader;
  private final LinkedBlockingQueue<Job> queue = new LinkedBlockingQueue<>();
  private final List<Thread> threads = new ArrayList<>();

  public SocketHttpTarget(String baseUrl, int connections) {
    URI uri = URI.create(baseUrl);
    if (!"http".equals(uri.getScheme())) {
      throw new IllegalArgumentException("the socket client speaks plain http only, not " + baseUrl);
    }
    this.host = uri.getHost();
    this.port = uri.getPort() < 0 ? 80 : uri.getPort();
    this.hostHeader = host + ":" + port;
    for (int i = 0; i < Math.max(1, connections); i++) {
      Thread thread = new Thread(this::serve, "socket-http-" + i);
      thread.setDaemon(true);
      thread.start();
      threads.add(thread);
    }
  }

  @Override
  public CompletionStage<Reply> post(String path, byte[] json) {
    String head =
        "POST " + path + " HTTP/1.1\r\nHost: " + hostHeader + "\r\nContent-Type: application/json\r\nContent-Length: "
            + json.length + "\r\n\r\n";
    byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
    byte[] request = new byte[headBytes.length + json.length];
    System.arraycopy(headBytes, 0, request, 0, headBytes.length);
    System.arraycopy(json, 0, request, headBytes.length, json.length);
    return submit(request);
  }

  @Override
  public CompletionStage<Reply> get(String path) {
    return submit(("GET " + path + " HTTP/1.1\r\nHost: " + hostHeader + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
  }

  private CompletionStage<Reply> submit(byte[] request) {
    CompletableFuture<Reply> result = new CompletableFuture<>();
    queue.add(new Job(request, result));
    return result;
  }

  private void serve() {
    Connection connection = null;
    while (true) {
      Job job;
      try {
        job = queue.take();
      } catch (InterruptedException e) {
        return;
      }
      if (job == STOP) {
        closeQuietly(connection);
        return;
      }
      try {
        if (connection == null) {
          connection = new Connection(host, port);
        }
        Reply reply = connection.exchange(job.request());
        if (connection.closeAfter) {
          closeQuietly(connection);
          connection = null;
        }
        job.result().complete(reply);
      } catch (IOException | RuntimeException e) {
        closeQuietly(connection);
        connection = null;
        job.result().completeExceptionally(e);
      }
    }
  }

  private static void closeQuietly(Connection connection) {
    if (connection != null) {
      try {
        connection.socket.close();
      } catch (IOException ignored) {
        // already broken
      }
    }
  }

  /** One keep-alive connection; used by its own thread only. */
  private static final class Connection {
    final Socket socket;
    final OutputStream out;
    final InputStream in;
    boolean closeAfter;

    Connection(String host, int port) throws IOException {
      socket = new Socket();
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress(host, port), 5_000);
      socket.setSoTimeout(60_000);
      out = socket.getOutputStream();
      in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
    }

    Reply exchange(byte[] request) throws IOException {
      out.write(request);
      out.flush();
      String status = line();
      if (!status.startsWith("HTTP/1.")) {
        throw new IOException("not an HTTP response: " + status);
      }
      int code = Integer.parseInt(status.substring(9, 12));
      int length = -1;
      boolean chunked = false;
      String cache = null;
      closeAfter = false;
      for (String header = line(); !header.isEmpty(); header = line()) {
        int colon = header.indexOf(':');
        if (colon < 0) {
          continue;
        }
        String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value = header.substring(colon + 1).trim();
        switch (name) {
          case "content-length" -> length = Integer.parseInt(value);
          case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
          case "x-cache" -> cache = value;
          case "connection" -> closeAfter = value.equalsIgnoreCase("close");
          default -> { }
        }
      }
      byte[] body;
      if (chunked) {
        body = chunkedBody();
      } else if (length >= 0) {
        body = in.readNBytes(length);
        if (body.length < length) {
          throw new IOException("connection closed in the middle of a body");
        }
      } else {
        closeAfter = true;
        body = in.readAllBytes();
      }
      return new Reply(code, cache, new String(body, StandardCharsets.UTF_8));
    }

    private byte[] chunkedBody() throws IOException {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      while (true) {
        String sizeLine = line();
        int semicolon = sizeLine.indexOf(';');
        int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
        if (size == 0) {
          while (!line().isEmpty()) {
            // trailers
          }
          return body.toByteArray();
        }
        body.write(in.readNBytes(size));
        line();
      }
    }

    private final StringBuilder lineBuffer = new StringBuilder(128);

    private String line() throws IOException {
      lineBuffer.setLength(0);
      while (true) {
        int b = in.read();
        if (b < 0) {
          throw new IOException("connection closed by the server");
        }
        if (b == '\n') {
          int n = lineBuffer.length();
          if (n > 0 && lineBuffer.charAt(n - 1) == '\r') {
            lineBuffer.setLength(n - 1);
          }
          return lineBuffer.toString();
        }
        lineBuffer.append((char) b);
      }
    }
  }

  @Override
  public String name() {
    return "socket";
  }

  @Override
  public void close() {
    threads.forEach(t -> queue.add(STOP));
  }
}
