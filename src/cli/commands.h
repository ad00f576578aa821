/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_COMMANDS_H
#define NETNSCTL_COMMANDS_H

/* One function per subcommand; each gets its own argv (argv[0] = its name). */
int cmd_create_namespaces(int argc, char **argv);
int cmd_delete_namespaces(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_create_veth_pair(int argc, char **argv);
int cmd_delete_veth_pair(int argc, char **argv);
int cmd_add_delay(int argc, char **argv);
int cmd_set_rate(int argc, char **argv);
int cmd_clear_qdisc(int argc, char **argv);
int cmd_show_qdisc(int argc, char **argv);
int cmd_cleanup(int argc, char **argv);
int cmd_connect_host(int argc, char **argv);
int cmd_disconnect_host(int argc, char **argv);
int cmd_forward_port(int argc, char **argv);
int cmd_unforward_port(int argc, char **argv);
int cmd_create_clients(int argc, char **argv);
int cmd_delete_clients(int argc, char **argv);
int cmd_list_clients(int argc, char **argv);
int cmd_lease_keeper(int argc, char **argv);
int cmd_reverter(int argc, char **argv);
int cmd_exec_all(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_apply(int argc, char **argv);
int cmd_destroy(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_labs(int argc, char **argv);
int cmd_create_bridge(int argc, char **argv);
int cmd_attach(int argc, char **argv);
int cmd_probe(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_link_down(int argc, char **argv);
int cmd_link_up(int argc, char **argv);
int cmd_partition(int argc, char **argv);
int cmd_heal(int argc, char **argv);
int cmd_run(int argc, char **argv);

#endif
