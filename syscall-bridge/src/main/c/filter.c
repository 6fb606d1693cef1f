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
	NR_IO_URING_SETUP = 425,
};
/* i386 numbers: socketcall multiplexes every socket call; 359-373 are the direct socket calls
 * (socket .. shutdown) added in Linux 4.3; sendmmsg predates them. */
enum {
	NR32_SOCKETCALL = 102, NR32_SENDMMSG = 345, NR32_SOCKET_FIRST = 359, NR32_SOCKET_LAST = 373,
	NR32_IO_URING_SETUP = 425,
};

#define NOTIFY SECCOMP_RET_USER_NOTIF
#define ALLOW SECCOMP_RET_ALLOW
#define NOSYS (SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA))

#define LOAD(off) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define RET(action) BPF_STMT(BPF_RET | BPF_K, (action))
/* if A == nr: return action */
#define ON(nr, action) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), RET(action)

/* Offsets of the halves of a 64-bit argument; x86 is little-endian. */
#define ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (i))
#define ARG_HI(i) (offsetof(struct seccomp_data, args) + 8 * (i) + 4)

static struct sock_filter program[] = {
	LOAD(offsetof(struct seccomp_data, arch)),
	/* x86_64: jump over the 13 instructions of the i386 part, to "x86_64" below. */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 13, 0),
	/* i386 (int 0x80 from a 64-bit process too): it has its own socket calls; refuse them all
	 * rather than translate a second ABI. io_uring would bypass the filter there as well. */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_I386, 1, 0),
	/* Any other architecture: we cannot interpret its numbers. */
	RET(SECCOMP_RET_KILL_PROCESS),
	LOAD(offsetof(struct seccomp_data, nr)),
	ON(NR32_SOCKETCALL, NOSYS),
	ON(NR32_SENDMMSG, NOSYS),
	ON(NR32_IO_URING_SETUP, NOSYS),
	BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, NR32_SOCKET_FIRST, 0, 2),
	BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, NR32_SOCKET_LAST, 1, 0),
	RET(NOSYS),
	RET(ALLOW),

	/* x86_64 (program[15]) */
	LOAD(offsetof(struct seccomp_data, nr)),
	/* x32 calls carry this bit and have their own sockaddr layouts: refuse them. */
	BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, __X32_SYSCALL_BIT, 0, 1),
	RET(NOSYS),
	/* io_uring can connect and send without a system call the filter sees. */
	ON(NR_IO_URING_SETUP, NOSYS),

	/* socket(): only IP sockets go to the daemon, which creates them in the node's network;
	 * AF_UNIX and netlink stay local. The domain is an int: compare the low half. */
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
	ON(NR_SENDMSG, NOTIFY),
	ON(NR_SENDMMSG, NOTIFY),

	/* sendto(): only with a destination (args[4], a 64-bit pointer: both halves) or
	 * MSG_FASTOPEN (args[3]), which connects; a plain send on a connected socket runs natively. */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NR_SENDTO, 0, 8),
	LOAD(ARG_LO(4)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 5),
	LOAD(ARG_HI(4)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 3),
	LOAD(ARG_LO(3)),
	BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, MSG_FASTOPEN, 1, 0),
	RET(ALLOW),
	RET(NOTIFY),

	RET(ALLOW),
};

int filter_install(void)
{
	/* The arch jump above is counted by hand: make an edit that breaks it fail loudly. */
	const struct sock_filter *x86 = &program[2 + program[1].jt];
	if (x86->code != (BPF_LD | BPF_W | BPF_ABS) || x86->k != offsetof(struct seccomp_data, nr) ||
	    program[2 + program[1].jt - 1].code != (BPF_RET | BPF_K))
		die("internal error: the seccomp program's x86_64 jump is wrong");
	struct sock_fprog prog = {
		.len = (unsigned short)(sizeof program / sizeof program[0]),
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
