/*
 * rtnetlink by hand (rtnetlink(7)): three requests, each acknowledged. The interface carries no
 * traffic (the app's IP sockets live in the node's network), it only has to exist and hold the IP.
 */
#include "netif.h"

#include "flags.h"
#include "util.h"

#include <errno.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Our requests are a few hundred bytes; the kernel's ACK echoes the request after an error. */
#define REQ_BYTES 512
#define REPLY_BYTES 8192

struct request {
	struct nlmsghdr *hdr;
	char buf[REQ_BYTES] __attribute__((aligned(NLMSG_ALIGNTO)));
};

static void *req_init(struct request *req, unsigned short type, unsigned short flags,
		      size_t body)
{
	memset(req->buf, 0, sizeof req->buf);
	req->hdr = (struct nlmsghdr *)req->buf;
	req->hdr->nlmsg_len = (unsigned)NLMSG_LENGTH(body);
	req->hdr->nlmsg_type = type;
	req->hdr->nlmsg_flags = (unsigned short)(NLM_F_REQUEST | NLM_F_ACK | flags);
	return NLMSG_DATA(req->hdr);
}

static struct rtattr *req_attr(struct request *req, unsigned short type, const void *data,
			       size_t len)
{
	size_t at = NLMSG_ALIGN(req->hdr->nlmsg_len);
	if (at + RTA_SPACE(len) > sizeof req->buf)
		die("internal error: netlink request too large");
	struct rtattr *rta = (struct rtattr *)(req->buf + at);
	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len > 0)
		memcpy(RTA_DATA(rta), data, len);
	req->hdr->nlmsg_len = (unsigned)(at + RTA_SPACE(len));
	return rta;
}

/* Closes a nested attribute opened with req_attr(type, NULL, 0). */
static void req_nest_end(struct request *req, struct rtattr *nest)
{
	nest->rta_len = (unsigned short)(req->buf + req->hdr->nlmsg_len - (char *)nest);
}

/* Sends the request and waits for its ACK. Returns 0 or the kernel's errno. */
static int transact(int fd, struct request *req, unsigned seq)
{
	req->hdr->nlmsg_seq = seq;
	if (send_all(fd, req->buf, req->hdr->nlmsg_len) != 0)
		die("cannot talk to rtnetlink: %s", strerror(errno));
	for (;;) {
		char reply[REPLY_BYTES] __attribute__((aligned(NLMSG_ALIGNTO)));
		ssize_t n = recv(fd, reply, sizeof reply, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("cannot read from rtnetlink: %s", strerror(errno));
		}
		size_t left = (size_t)n;
		for (struct nlmsghdr *h = (struct nlmsghdr *)reply; NLMSG_OK(h, left);
		     h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_seq != seq || h->nlmsg_type != NLMSG_ERROR)
				continue;
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr)))
				die("rtnetlink sent a truncated acknowledgement");
			const struct nlmsgerr *err = NLMSG_DATA(h);
			return -err->error;
		}
	}
}

static int add_link(int fd, const char *name, const char *kind, unsigned seq)
{
	struct request req;
	struct ifinfomsg *ifi = req_init(&req, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, sizeof *ifi);
	ifi->ifi_family = AF_UNSPEC;
	/* Up at creation, as `ip link add ... up` does: one request fewer. */
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	req_attr(&req, IFLA_IFNAME, name, strlen(name) + 1);
	struct rtattr *info = req_attr(&req, IFLA_LINKINFO, NULL, 0);
	req_attr(&req, IFLA_INFO_KIND, kind, strlen(kind));
	req_nest_end(&req, info);
	return transact(fd, &req, seq);
}

void netif_create(const char *name, const char *ip)
{
	unsigned char addr[4];
	if (!parse_ipv4(ip, addr))
		die("the ax daemon gave the app no usable IPv4 address ('%s')", ip);

	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		die("cannot open rtnetlink: %s", strerror(errno));

	/* A dummy is what the reference creates. Kernels built without it answer EOPNOTSUPP; a
	 * bridge without ports is the always-built stand-in that also just holds an address. */
	int err = add_link(fd, name, "dummy", 1);
	if (err == EOPNOTSUPP)
		err = add_link(fd, name, "bridge", 2);
	if (err != 0)
		die("--interface: cannot create interface '%s': %s", name, strerror(err));

	unsigned index = if_nametoindex(name);
	if (index == 0)
		die("--interface: cannot find the new interface '%s': %s", name, strerror(errno));

	struct request req;
	struct ifaddrmsg *ifa = req_init(&req, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, sizeof *ifa);
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = 32; /* the app's own address, no subnet: nothing is routed through it */
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = index;
	req_attr(&req, IFA_LOCAL, addr, sizeof addr);
	req_attr(&req, IFA_ADDRESS, addr, sizeof addr);
	err = transact(fd, &req, 3);
	if (err != 0)
		die("--interface: cannot add %s/32 to '%s': %s", ip, name, strerror(err));

	if (close(fd) != 0)
		die("cannot close rtnetlink: %s", strerror(errno));
}
