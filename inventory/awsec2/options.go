package awsec2

import (
	"fmt"
	"sort"
	"strings"

	"github.com/drover-sh/drover/inventory"
)

// options are a configuration file's settings.
type options struct {
	regions                  []string
	filters                  []filterSet // filters, then each include_filters entry (their union)
	exclude                  []filterSet
	hostnames                []any // strings, or {name, prefix, separator} maps
	c                        inventory.Constructed
	strictPermissions        bool
	contribSanitization      bool
	extraAPICalls            bool
	hostvarsPrefix           string
	hostvarsSuffix           string
	profile, accessKey       string
	secretKey, sessionToken  string
	endpoint, iamRoleARN     string
	allowDuplicatedHostnames bool
}

// filterSet is one DescribeInstances filter list: name → values.
type filterSet map[string][]string

// aliases maps every accepted key to its canonical name.
var aliases = map[string]string{
	"plugin": "plugin", "regions": "regions", "filters": "filters", "include_filters": "include_filters",
	"exclude_filters": "exclude_filters", "hostnames": "hostnames", "compose": "compose", "groups": "groups",
	"keyed_groups": "keyed_groups", "strict": "strict", "strict_permissions": "strict_permissions",
	"leading_separator": "leading_separator", "use_contrib_script_compatible_sanitization": "use_contrib_script_compatible_sanitization",
	"include_extra_api_calls": "include_extra_api_calls", "hostvars_prefix": "hostvars_prefix", "hostvars_suffix": "hostvars_suffix",
	"allow_duplicated_hosts": "allow_duplicated_hosts",
	"profile":                "profile", "aws_profile": "profile", "boto_profile": "profile",
	"access_key": "access_key", "aws_access_key": "access_key", "aws_access_key_id": "access_key", "ec2_access_key": "access_key",
	"secret_key": "secret_key", "aws_secret_key": "secret_key", "aws_secret_access_key": "secret_key", "ec2_secret_key": "secret_key",
	"session_token": "session_token", "aws_session_token": "session_token", "security_token": "session_token",
	"aws_security_token": "session_token", "access_token": "session_token", "ec2_security_token": "session_token",
	"endpoint_url": "endpoint_url", "aws_endpoint_url": "endpoint_url", "endpoint": "endpoint_url", "ec2_url": "endpoint_url",
	"iam_role_arn": "iam_role_arn",
	// Accepted, without effect: drover asks EC2 on every load.
	"cache": "-", "cache_plugin": "-", "cache_timeout": "-", "cache_connection": "-", "cache_prefix": "-",
}

// refused are options of the plugin drover does not have, with why.
var refused = map[string]string{
	"use_ssm_inventory": "drover does not query SSM",
	"use_extra_vars":    "drover does not template the source with extra vars",
	"route53_enabled":   "drover does not query Route 53",
	"region":            "the key is regions (a list)",
}

func parseOptions(config map[string]any) (*options, error) {
	o := &options{strictPermissions: true, c: inventory.Constructed{LeadingSeparator: true}}
	keys := make([]string, 0, len(config))
	for k := range config {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var errs []string
	bad := func(format string, a ...any) { errs = append(errs, fmt.Sprintf(format, a...)) }
	for _, k := range keys {
		v := config[k]
		name, ok := aliases[k]
		if !ok {
			if why, ok := refused[k]; ok {
				bad("option '%s' is not supported: %s", k, why)
			} else {
				bad("unknown option '%s' of the aws_ec2 inventory plugin", k)
			}
			continue
		}
		var err error
		switch name {
		case "regions":
			o.regions, err = stringList(v)
		case "filters":
			var f filterSet
			f, err = filters(v)
			o.filters = append([]filterSet{f}, o.filters...)
		case "include_filters", "exclude_filters":
			l, ok := v.([]any)
			if !ok && v != nil {
				err = fmt.Errorf("must be a list of filter mappings")
			}
			for _, x := range l {
				f, ferr := filters(x)
				if ferr != nil {
					err = ferr
					break
				}
				if name == "include_filters" {
					o.filters = append(o.filters, f)
				} else {
					o.exclude = append(o.exclude, f)
				}
			}
		case "hostnames":
			l, ok := v.([]any)
			if !ok && v != nil {
				err = fmt.Errorf("must be a list")
			}
			o.hostnames = l
		case "compose", "groups", "keyed_groups", "strict", "leading_separator":
			_, err = o.c.ReadConstructed(name, v)
		case "strict_permissions":
			o.strictPermissions, err = inventory.OptionBool(v)
		case "use_contrib_script_compatible_sanitization":
			o.contribSanitization, err = inventory.OptionBool(v)
		case "include_extra_api_calls":
			o.extraAPICalls, err = inventory.OptionBool(v)
		case "allow_duplicated_hosts":
			o.allowDuplicatedHostnames, err = inventory.OptionBool(v)
		case "hostvars_prefix":
			o.hostvarsPrefix, err = str(v)
		case "hostvars_suffix":
			o.hostvarsSuffix, err = str(v)
		case "profile":
			o.profile, err = str(v)
		case "access_key":
			o.accessKey, err = str(v)
		case "secret_key":
			o.secretKey, err = str(v)
		case "session_token":
			o.sessionToken, err = str(v)
		case "endpoint_url":
			o.endpoint, err = str(v)
		case "iam_role_arn":
			o.iamRoleARN, err = str(v)
		}
		if err != nil {
			bad("%s: %v", k, err)
		}
	}
	if o.allowDuplicatedHostnames {
		bad("allow_duplicated_hosts: true is not supported: drover gives each instance one host name")
	}
	if o.profile != "" && o.accessKey != "" {
		bad("profile and access_key are mutually exclusive")
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	if o.contribSanitization {
		o.c.Sanitize = func(s string) string { return contribUnsafe.ReplaceAllString(s, "_") }
	}
	if len(o.filters) == 0 {
		o.filters = []filterSet{{}}
	}
	return o, nil
}

// filters reads a filter mapping: name → a value or a list of values.
func filters(v any) (filterSet, error) {
	if v == nil {
		return filterSet{}, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("filters must be a mapping of filter names to values")
	}
	out := filterSet{}
	for k, x := range m {
		switch x := x.(type) {
		case []any:
			for _, e := range x {
				out[k] = append(out[k], fmt.Sprint(e))
			}
		default:
			out[k] = []string{fmt.Sprint(x)}
		}
	}
	return out, nil
}

func stringList(v any) ([]string, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case string:
		return []string{v}, nil
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			s, ok := x.(string)
			if !ok {
				return nil, fmt.Errorf("must be a list of strings")
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("must be a list of strings")
}

func str(v any) (string, error) {
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	}
	return "", fmt.Errorf("must be a string")
}
