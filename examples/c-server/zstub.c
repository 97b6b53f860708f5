/*
 * A stand-in for arm64's libz.so.1 at link time only, so that cross-compiling needs no
 * zlib1g-dev:arm64 (which would bring libc6-dev:arm64 and a matching host libc). The program
 * records "libz.so.1" as needed and calls these by name; at run time the image's zlib1g
 * (Debian's real zlib for arm64) provides them. Only the functions server.c calls.
 */
#include <zlib.h>

uLong crc32(uLong crc, const Bytef *buf, uInt len) { (void)buf; (void)len; return crc; }
const char *zlibVersion(void) { return ""; }
