/*
 * A small HTTP responder for plinth's C recipe (docs/apps.md), linked against Debian's zlib:
 * every GET answers {"path": "...", "crc32": N}, the CRC-32 of the request path by zlib's
 * crc32(). One request at a time, plain sockets. SIGTERM (podman stop) ends it with exit 0.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <zlib.h>

static volatile sig_atomic_t stopping;

static void on_term(int sig) {
  (void)sig;
  stopping = 1;
}

/* Reads the request head; returns 0 and the path of a GET, else -1. */
static int read_path(int c, char *path, size_t size) {
  char req[4096] = "";
  size_t n = 0;
  while (n < sizeof req - 1 && !strstr(req, "\r\n\r\n")) {
    ssize_t r = read(c, req + n, sizeof req - 1 - n);
    if (r <= 0) {
      return -1;
    }
    n += (size_t)r;
    req[n] = '\0';
  }
  char fmt[32];
  snprintf(fmt, sizeof fmt, "GET %%%zus HTTP/1.", size - 1);
  return sscanf(req, fmt, path) == 1 ? 0 : -1;
}

static void answer(int c) {
  char path[1024];
  char body[1200];
  char head[256];
  const char *status = "200 OK";
  if (read_path(c, path, sizeof path) != 0) {
    status = "400 Bad Request";
    snprintf(body, sizeof body, "{\"error\": \"a GET request only\"}\n");
  } else {
    uLong crc = crc32(0L, (const Bytef *)path, (uInt)strlen(path));
    /* the path is printed as read: fine for the ASCII paths of this example */
    snprintf(body, sizeof body, "{\"path\": \"%s\", \"crc32\": %lu}\n", path, crc);
  }
  int h = snprintf(head, sizeof head, "HTTP/1.1 %s\r\nContent-Type: application/json\r\n"
      "Content-Length: %zu\r\nConnection: close\r\n\r\n", status, strlen(body));
  if (write(c, head, (size_t)h) < 0 || write(c, body, strlen(body)) < 0) {
    perror("write");
  }
  printf("GET %s %.3s\n", status[0] == '2' ? path : "-", status);
  fflush(stdout);
}

int main(void) {
  const char *p = getenv("PORT");
  int port = p ? atoi(p) : 8080;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_term; /* no SA_RESTART: accept() returns EINTR */
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);

  int s = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port),
                             .sin_addr.s_addr = htonl(INADDR_ANY)};
  if (s < 0 || bind(s, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(s, 16) != 0) {
    fprintf(stderr, "c-server: cannot listen on port %d: %s\n", port, strerror(errno));
    return 1;
  }
  printf("c-server: zlib %s, listening on port %d\n", zlibVersion(), port);
  fflush(stdout);
  while (!stopping) {
    int c = accept(s, NULL, NULL);
    if (c < 0) {
      if (errno == EINTR) {
        continue;
      }
      perror("accept");
      return 1;
    }
    answer(c);
    close(c);
  }
  close(s);
  printf("c-server: stopped\n");
  return 0;
}
