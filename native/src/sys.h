/*
 * sys.h - the little plinth's init and nologin need from Linux, without libc.
 *
 * Raw system calls through inline assembly for x86_64 and aarch64, the
 * constants we use, and _start, which takes argc/argv/envp from the initial
 * stack (argc at sp[0], argv from sp[1], a NULL, then envp) and passes main's
 * return value to exit_group. A system call returns -errno on failure, like
 * the kernel itself: there is no errno variable.
 *
 * Everything here is static: each program is one translation unit and keeps
 * no writable data (no .data, no .bss), so the linker emits a single
 * read+execute LOAD segment at file offset 0, which loads on any page size
 * (4K, 16K, 64K).
 */
#ifndef PLINTH_SYS_H
#define PLINTH_SYS_H

typedef unsigned long size_t;

#if defined(__x86_64__)
#define NR_write 1
#define NR_close 3
#define NR_rt_sigaction 13
#define NR_rt_sigprocmask 14
#define NR_ioctl 16
#define NR_pread64 17
#define NR_getpid 39
#define NR_clone 56
#define NR_execve 59
#define NR_wait4 61
#define NR_kill 62
#define NR_setsid 112
#define NR_getsid 124
#define NR_rt_sigtimedwait 128
#define NR_prctl 157
#define NR_clock_gettime 228
#define NR_exit_group 231
#define NR_openat 257
#define NR_faccessat 269

static inline long sys6(long n, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

/* The entry point: rsp points at argc; the call re-aligns the stack to 16. */
__asm__(".text\n"
	".global _start\n"
	"_start:\n"
	"	xor %ebp, %ebp\n"
	"	mov %rsp, %rdi\n"
	"	and $-16, %rsp\n"
	"	call plinth_start\n"
	"	hlt\n");

#elif defined(__aarch64__)
#define NR_ioctl 29
#define NR_faccessat 48
#define NR_openat 56
#define NR_close 57
#define NR_write 64
#define NR_pread64 67
#define NR_exit_group 94
#define NR_clock_gettime 113
#define NR_kill 129
#define NR_rt_sigaction 134
#define NR_rt_sigprocmask 135
#define NR_rt_sigtimedwait 137
#define NR_getsid 156
#define NR_setsid 157
#define NR_prctl 167
#define NR_getpid 172
#define NR_clone 220
#define NR_execve 221
#define NR_wait4 260

static inline long sys6(long n, long a, long b, long c, long d, long e, long f)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x4 __asm__("x4") = e;
	register long x5 __asm__("x5") = f;
	__asm__ volatile("svc 0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
			 : "memory");
	return x0;
}

/* The entry point: sp points at argc and is already 16-byte aligned. */
__asm__(".text\n"
	".global _start\n"
	"_start:\n"
	"	mov x29, #0\n"
	"	mov x30, #0\n"
	"	mov x0, sp\n"
	"	bl plinth_start\n"
	"	brk #0\n");

#else
#error "plinth's init supports x86_64 and aarch64 only"
#endif

#define sys0(n) sys6(n, 0, 0, 0, 0, 0, 0)
#define sys1(n, a) sys6(n, (long)(a), 0, 0, 0, 0, 0)
#define sys2(n, a, b) sys6(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define sys3(n, a, b, c) sys6(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define sys4(n, a, b, c, d) sys6(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

/* errno values (the same on both architectures) */
#define EINTR 4
#define ESRCH 3
#define ENOENT 2
#define E2BIG 7
#define ENOEXEC 8
#define EAGAIN 11
#define ENOMEM 12
#define EACCES 13
#define ENOTDIR 20
#define EISDIR 21
#define ETXTBSY 26
#define ENAMETOOLONG 36
#define ELOOP 40

/* signals */
#define SIGHUP 1
#define SIGILL 4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGSEGV 11
#define SIGTERM 15
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSYS 31
#define SIGBIT(s) (1UL << ((s) - 1))
#define SIG_BLOCK 0
#define SIG_SETMASK 2
#define SIGSET_SIZE 8 /* the kernel's sigset_t: 64 signals */

/* The kernel's struct sigaction (not libc's): the same layout on both. */
struct ksigaction {
	unsigned long handler;
	unsigned long flags;
	unsigned long restorer;
	unsigned long mask;
};

struct ktimespec {
	long sec;
	long nsec;
};

/* The kernel's siginfo_t: 128 bytes, these three ints first on both. */
struct ksiginfo {
	int signo;
	int errnum;
	int code; /* <= 0: sent by a process (SI_USER, SI_QUEUE, SI_TKILL, ...); > 0: by the kernel */
	int rest[29];
};

#define WNOHANG 1
#define TIOCSCTTY 0x540E
#define TIOCNOTTY 0x5422
#define PR_SET_CHILD_SUBREAPER 36
#define CLOCK_MONOTONIC 1
#define AT_FDCWD (-100)
#define O_RDONLY 0
#define O_CLOEXEC 02000000
#define F_OK 0

static inline long sys_write(int fd, const void *buf, size_t n) { return sys3(NR_write, fd, buf, n); }
static inline long sys_getpid(void) { return sys0(NR_getpid); }
static inline long sys_getsid(long pid) { return sys1(NR_getsid, pid); }
static inline long sys_setsid(void) { return sys0(NR_setsid); }
static inline long sys_kill(long pid, int sig) { return sys2(NR_kill, pid, sig); }
static inline long sys_ioctl(int fd, unsigned long req, long arg) { return sys3(NR_ioctl, fd, req, arg); }
static inline long sys_prctl(int op, long arg) { return sys2(NR_prctl, op, arg); }
static inline long sys_wait4(long pid, int *status, int options) { return sys4(NR_wait4, pid, status, options, 0); }
static inline long sys_execve(const char *path, char *const argv[], char *const envp[])
{
	return sys3(NR_execve, path, argv, envp);
}
/* fork() as clone(SIGCHLD): aarch64 has no fork system call. */
static inline long sys_fork(void) { return sys2(NR_clone, SIGCHLD, 0); }
static inline long sys_sigprocmask(int how, const unsigned long *set, unsigned long *old)
{
	return sys4(NR_rt_sigprocmask, how, set, old, SIGSET_SIZE);
}
static inline long sys_sigaction(int sig, const struct ksigaction *act, struct ksigaction *old)
{
	return sys4(NR_rt_sigaction, sig, act, old, SIGSET_SIZE);
}
static inline long sys_sigtimedwait(const unsigned long *set, struct ksiginfo *info,
				    const struct ktimespec *timeout)
{
	return sys4(NR_rt_sigtimedwait, set, info, timeout, SIGSET_SIZE);
}
static inline long sys_clock_gettime(int clock, struct ktimespec *t) { return sys2(NR_clock_gettime, clock, t); }
static inline long sys_open(const char *path, int flags) { return sys3(NR_openat, AT_FDCWD, path, flags); }
static inline long sys_close(int fd) { return sys1(NR_close, fd); }
static inline long sys_pread(int fd, void *buf, size_t n, long off) { return sys4(NR_pread64, fd, buf, n, off); }
static inline long sys_exists(const char *path) { return sys3(NR_faccessat, AT_FDCWD, path, F_OK); }
static inline __attribute__((noreturn)) void sys_exit(int code)
{
	for (;;)
		sys1(NR_exit_group, code);
}

/* gcc may emit calls to these even in freestanding code (struct copies). */
void *memset(void *d, int c, size_t n)
{
	unsigned char *p = d;
	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *p = d;
	const unsigned char *q = s;
	while (n--)
		*p++ = *q++;
	return d;
}

int main(int argc, char **argv, char **envp);

__attribute__((noreturn, used)) void plinth_start(long *sp)
{
	int argc = (int)sp[0];
	char **argv = (char **)(sp + 1);
	sys_exit(main(argc, argv, argv + argc + 1));
}

#endif
