// Package awsec2 is Ansible's amazon.aws.aws_ec2 inventory plugin for
// drover: a YAML inventory source with `plugin: aws_ec2` (or
// amazon.aws.aws_ec2) lists the EC2 instances of its regions, with the
// plugin's host names, host variables (the instance in snake_case, tags as
// a dict, placement.region), the aws_ec2 group, and the constructed
// options (compose, groups, keyed_groups). With include_extra_api_calls,
// each host's scheduled events (the reboot-night question: which
// instances does AWS reboot, and when) are in `events`.
//
// It uses the AWS SDK for Go v2: its default credential chain (the
// environment, shared config and credentials files, SSO, instance
// metadata), the plugin's profile or keys on top, and iam_role_arn through
// STS. Options it does not have are refused by name; cache options are
// accepted and do nothing (drover always asks EC2).
package awsec2
