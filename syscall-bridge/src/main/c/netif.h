/* --interface: a non-loopback interface holding the app IP, for apps that look for one. */
#ifndef AX_NETIF_H
#define AX_NETIF_H

/* Creates interface `name` in the caller's network namespace, sets it up and adds `ip`
 * (dotted quad) as a /32, over rtnetlink. Dies on failure. */
void netif_create(const char *name, const char *ip);

#endif
