/*
 * The BPF program (x86_64 only). Every rule is a comparison followed by its own return, so each
 * jump is local and no offsets span the program. What it decides, and why:
 *   - calls the daemon must see (seccomp_unotify(2)) return SECCOMP_RET_USER_NOTIF;
 *   - calls that would bypass it fail with ENOSYS, which libraries treat as "not here, fall back";
 *   - everything else runs untouched: the data path stays native.
 */
#include "filter.h"

#include "util.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif
#ifndef SECCOMP_RET_USER_NOTIF
#define SECCOMP_RET_USER_NOTIF 0x7fc00000U
#endif
#ifndef __X32_SYSCALL_BIT
#define __X32_SYSCALL_BIT 0x40000000
#endif
#ifndef MSG_FASTOPEN
#define MSG_FASTOPEN 0x20000000
#endif

/* x86_64 numbers, spelled out: the filter is about this ABI, not whatever the headers say. */
enum {
	NR_SOCKET = 41, NR_CONNECT = 42, NR_SENDTO = 44, NR_SENDMSG = 46, NR_BIND = 49,
	NR_LISTEN = 50, NR_GETSOCKNAME = 51, NR_GETPEERNAME = 52, NR_SENDMMSG = 307,
	NR_DUP = 32, NR_DUP2 = 33, NR_FCNTL = 72, NR_DUP3 = 292, NR_IO_URING_SETUP = 425,
	NR_PIDFD_GETFD = 438, NR_SECCOMP = 317,
};
/* i386 numbers: socketcall multiplexes every socket call; 359-373 are the direct socket calls
 * (socket .. shutdown) added in Linux 4.3; sendmmsg predates them. */
enum {
	NR32_SOCKETCALL = 102, NR32_SENDMMSG = 345, NR32_SOCKET_FIRST = 359, NR32_SOCKET_LAST = 373,
	NR32_IO_URING_SETUP = 425, NR32_DUP = 41, NR32_DUP2 = 63, NR32_FCNTL = 55,
	NR32_FCNTL64 = 221, NR32_DUP3 = 330, NR32_PIDFD_GETFD = 438, NR32_SECCOMP = 354,
};
/* fcntl(2) commands that make a new fd; the same numbers on both ABIs. */
enum { CMD_DUPFD = 0, CMD_DUPFD_CLOEXEC = 1030 };

#define NOTIFY SECCOMP_RET_USER_NOTIF
#define ALLOW SECCOMP_RET_ALLOW
#define NOSYS (SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA))
#define REFUSED (SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA))

#define LOAD(off) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define RET(action) BPF_STMT(BPF_RET | BPF_K, (action))
/* if A == nr: return action */
#define ON(nr, action) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), RET(action)

/* Offsets of the halves of a 64-bit argument; x86 is little-endian. fd numbers, fcntl commands
 * and F_DUPFD's lower bound are 32-bit in the kernel (unsigned int, or an int it truncates to), so
 * the low half is what the kernel uses: a negative fd compares as a huge one, which is in the
 * range and is trapped (the daemon answers EBADF, as the kernel would). */
#define ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (i))
#define ARG_HI(i) (offsetof(struct seccomp_data, args) + 8 * (i) + 4)

/*
 * The datagram range. A BPF filter sees numbers, never what an fd is, so the daemon puts every
 * datagram inet socket (whose sends may name a destination in a msghdr that BPF cannot read) at
 * an fd number >= base (raw sockets, for CAP_NET_RAW only, are not: the README says so), and the filter traps sendmsg/sendmmsg there
 * only. Below base they run natively: a TCP socket's sendmsg has no destination (the kernel
 * ignores msg_name), so gRPC's writes and the like never wait on the daemon. The rules below
 * keep the invariant "no datagram socket below base":
 *   - the kernel hands out the lowest free number, so the app's own fds fill from 0 up and only
 *     the daemon puts sockets in the range (it finds a free number and installs with
 *     SECCOMP_ADDFD_FLAG_SETFD, below the app's RLIMIT_NOFILE soft limit and below FD_SETSIZE);
 *   - dup, dup2, dup3 and fcntl(F_DUPFD, F_DUPFD_CLOEXEC) from a number in the range to one that
 *     may be below it are trapped: the daemon makes the copy itself (of the file it checked, not
 *     of whatever the number holds by then) and keeps a datagram socket in the range; a copy that
 *     stays in the range (dup2 to a high number) is harmless and runs natively;
 *   - pidfd_getfd is refused (EPERM): the copy would land at the caller's lowest free number;
 *   - a seccomp filter with a listener of the app's own is refused (EPERM): one thread could
 *     supervise another and install a datagram socket at any number with ADDFD's SETFD;
 *   - MSG_FASTOPEN (which connects) is in the flags, which BPF reads: trapped at any number.
 * A socket passed over a unix socket (SCM_RIGHTS) lands at the receiver's lowest free number;
 * that path is not closed (see the README's limits).
 */
#define FD_IN_RANGE(arg, jt, jf) LOAD(ARG_LO(arg)), BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, base, (jt), (jf))

/* sendmsg/sendmmsg: trapped when the fd is in the range or the flags ask for Fast Open. */
#define SEND_RULE(nr, flags_arg)                                                            \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 6),                                    \
	FD_IN_RANGE(0, 3, 0),                                                                \
	LOAD(ARG_LO(flags_arg)),                                                             \
	BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, MSG_FASTOPEN, 1, 0),                           \
	RET(ALLOW),                                                                          \
	RET(NOTIFY)
/* dup(fd): the copy lands at the lowest free number; act when fd is in the range. */
#define OUT_OF_RANGE_ANY(nr, action)                                                        \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 4),                                    \
	FD_IN_RANGE(0, 0, 1),                                                                \
	RET(action),                                                                         \
	RET(ALLOW)
/* dup2/dup3(fd, to): act when args[from] is in the range and args[to] is not. */
#define OUT_OF_RANGE_TO(nr, from, to, action)                                               \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 6),                                    \
	FD_IN_RANGE(from, 0, 3),                                                             \
	FD_IN_RANGE(to, 1, 0),                                                               \
	RET(action),                                                                         \
	RET(ALLOW)
/* fcntl(fd, F_DUPFD or F_DUPFD_CLOEXEC, min): the copy lands at the lowest free number >= min. */
#define OUT_OF_RANGE_FCNTL(nr, action)                                                      \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 9),                                    \
	FD_IN_RANGE(0, 0, 6),                                                                \
	LOAD(ARG_LO(1)),                                                                     \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, CMD_DUPFD, 1, 0),                               \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, CMD_DUPFD_CLOEXEC, 0, 3),                       \
	FD_IN_RANGE(2, 1, 0),                                                                \
	RET(action),                                                                         \
	RET(ALLOW)

/* seccomp(SECCOMP_SET_MODE_FILTER, flags with SECCOMP_FILTER_FLAG_NEW_LISTENER, ...): action.
 * Filters without a listener (sandboxes, runc's defaults) are the app's own business. */
#define NO_OWN_LISTENER(nr, action)                                                         \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 6),                                    \
	LOAD(ARG_LO(0)),                                                                     \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SECCOMP_SET_MODE_FILTER, 0, 2),                 \
	LOAD(ARG_LO(1)),                                                                     \
	BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, SECCOMP_FILTER_FLAG_NEW_LISTENER, 1, 0),       \
	RET(ALLOW),                                                                          \
	RET(action)

unsigned filter_fd_base(void)
{
	struct rlimit lim;
	if (getrlimit(RLIMIT_NOFILE, &lim) != 0)
		die("cannot read the open files limit: %s", strerror(errno));
	/* The range ends at FD_SETSIZE: select(2) cannot take a higher fd, and a program that
	 * never held 1024 fds natively may well select on its sockets. Its upper quarter is the
	 * range: the app's own fds fill from 0, and reach it only past three quarters of its limit
	 * (then its stream sockets up there are trapped too: slower, still correct). */
	rlim_t top = lim.rlim_cur < FD_SETSIZE ? lim.rlim_cur : FD_SETSIZE;
	if (top < 8)
		die("the open files limit (%lu) is too low to run a program under ax (at least 8)",
		    (unsigned long)lim.rlim_cur);
	return (unsigned)(top - top / 4);
}

int filter_install(unsigned base)
{
	const struct sock_filter arch[] = {
		LOAD(offsetof(struct seccomp_data, arch)),
		/* x86_64: jump over the i386 part (its length is patched in below). */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 0),
		/* i386 (int 0x80 from a 64-bit process too): it has its own socket calls; refuse
		 * them all rather than translate a second ABI. io_uring would bypass the filter
		 * there as well. */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_I386, 1, 0),
		/* Any other architecture: we cannot interpret its numbers. */
		RET(SECCOMP_RET_KILL_PROCESS),
	};
	const struct sock_filter i386[] = {
		LOAD(offsetof(struct seccomp_data, nr)),
		ON(NR32_SOCKETCALL, NOSYS),
		ON(NR32_SENDMMSG, NOSYS),
		ON(NR32_IO_URING_SETUP, NOSYS),
		/* A 64-bit app may int 0x80 to move a datagram socket below the range: refuse. */
		OUT_OF_RANGE_ANY(NR32_DUP, NOSYS),
		OUT_OF_RANGE_TO(NR32_DUP2, 0, 1, NOSYS),
		OUT_OF_RANGE_TO(NR32_DUP3, 0, 1, NOSYS),
		OUT_OF_RANGE_FCNTL(NR32_FCNTL, NOSYS),
		OUT_OF_RANGE_FCNTL(NR32_FCNTL64, NOSYS),
		ON(NR32_PIDFD_GETFD, REFUSED),
		NO_OWN_LISTENER(NR32_SECCOMP, REFUSED),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, NR32_SOCKET_FIRST, 0, 2),
		BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, NR32_SOCKET_LAST, 1, 0),
		RET(NOSYS),
		RET(ALLOW),
	};
	const struct sock_filter x86_64[] = {
		LOAD(offsetof(struct seccomp_data, nr)),
		/* x32 calls carry this bit and have their own sockaddr layouts: refuse them. */
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, __X32_SYSCALL_BIT, 0, 1),
		RET(NOSYS),
		/* io_uring can connect and send without a system call the filter sees. */
		ON(NR_IO_URING_SETUP, NOSYS),

		/* socket(): only IP sockets go to the daemon, which creates them in the node's
		 * network; AF_UNIX and netlink stay local. The domain is an int: compare the low
		 * half. */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NR_SOCKET, 0, 5),
		LOAD(ARG_LO(0)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_INET, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_INET6, 1, 0),
		RET(ALLOW),
		RET(NOTIFY),

		/* The calls that name or reveal an address. For a non-IP socket the daemon answers
		 * CONTINUE; it is cheaper than decoding socket types here. */
		ON(NR_CONNECT, NOTIFY),
		ON(NR_BIND, NOTIFY),
		ON(NR_LISTEN, NOTIFY),
		ON(NR_GETSOCKNAME, NOTIFY),
		ON(NR_GETPEERNAME, NOTIFY),
		SEND_RULE(NR_SENDMSG, 2),
		SEND_RULE(NR_SENDMMSG, 3),

		/* sendto(): only with a destination (args[4], a 64-bit pointer: both halves) or
		 * MSG_FASTOPEN (args[3]), which connects; a plain send on a connected socket runs
		 * natively. */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NR_SENDTO, 0, 8),
		LOAD(ARG_LO(4)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 5),
		LOAD(ARG_HI(4)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 3),
		LOAD(ARG_LO(3)),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, MSG_FASTOPEN, 1, 0),
		RET(ALLOW),
		RET(NOTIFY),

		/* Copies of an fd out of the datagram range (see above). */
		OUT_OF_RANGE_ANY(NR_DUP, NOTIFY),
		OUT_OF_RANGE_TO(NR_DUP2, 0, 1, NOTIFY),
		OUT_OF_RANGE_TO(NR_DUP3, 0, 1, NOTIFY),
		OUT_OF_RANGE_FCNTL(NR_FCNTL, NOTIFY),
		/* pidfd_getfd copies another process's fd to our lowest free number, and that
		 * process may be an app with another range: refused outright (EPERM, as for a
		 * process one may not trace). */
		ON(NR_PIDFD_GETFD, REFUSED),
		/* A listener of the app's own could ADDFD a datagram socket below the range. */
		NO_OWN_LISTENER(NR_SECCOMP, REFUSED),

		RET(ALLOW),
	};
	enum { N_ARCH = sizeof arch / sizeof arch[0], N_I386 = sizeof i386 / sizeof i386[0],
	       N_X86_64 = sizeof x86_64 / sizeof x86_64[0], N = N_ARCH + N_I386 + N_X86_64 };
	_Static_assert(N_I386 + 2 <= 255, "the x86_64 jump must fit in a byte");
	struct sock_filter program[N];
	memcpy(program, arch, sizeof arch);
	memcpy(program + N_ARCH, i386, sizeof i386);
	memcpy(program + N_ARCH + N_I386, x86_64, sizeof x86_64);
	/* From the instruction after the jump, skip the other-arch check (2) and the i386 part. */
	program[1].jt = (unsigned char)(2 + N_I386);

	struct sock_fprog prog = {
		.len = (unsigned short)N,
		.filter = program,
	};
	/* Required to install a filter without CAP_SYS_ADMIN, and it keeps set-uid binaries from
	 * gaining privileges under a filter they did not expect. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		die("cannot set no_new_privs: %s", strerror(errno));
	/* No SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV: with it, a call that a dead daemon had received
	 * could not be interrupted by SIGSTOP/SIGCONT and would wait forever (see DESIGN.md). */
	long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER,
			  &prog);
	if (fd < 0)
		die("cannot install the seccomp filter: %s", strerror(errno));
	return (int)fd;
}
