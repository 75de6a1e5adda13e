// Package inventory reads Ansible inventories and providers' lists of
// affected hosts, and resolves Ansible host patterns over them.
//
// Sources (the values of -i): Ansible INI files, Ansible YAML/JSON files,
// directories of sources, executable inventories (run with --list, with the
// --host fallback when _meta is missing), Ansible's comma list
// ("host1,host2,"), plain host lists (a subset of INI) and CSV files with a
// header naming a host, instance_id, address or private_ip column.
// group_vars/ and host_vars/ next to each source are read as Ansible's
// host_group_vars plugin does.
//
// Variables are merged with Ansible's precedence for these sources; see
// docs/inventory.md. Malformed sources give a *ParseError ("file:line: msg");
// patterns that match nothing give a *PatternError. IsInvalidInput reports
// either.
package inventory
