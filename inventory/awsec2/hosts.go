package awsec2

import (
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// hostVars are an instance's variables as the plugin sets them: the
// instance in snake_case, tags as a dict, the reservation's ids,
// placement.region, and with include_extra_api_calls its scheduled events.
func hostVars(in *instance, extra bool) map[string]any {
	v, _ := snakeValue(reflect.ValueOf(in.Instance))
	m, _ := v.(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	tags := map[string]any{}
	for _, t := range in.Tags {
		tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	m["tags"] = tags
	m["owner_id"], m["requester_id"], m["reservation_id"] = in.ownerID, in.requesterID, in.reservation
	pl, _ := m["placement"].(map[string]any)
	if pl == nil {
		pl = map[string]any{}
		m["placement"] = pl
	}
	pl["region"] = in.region
	if extra {
		m["events"] = ""
		if len(in.events) > 0 {
			ev, _ := snakeValue(reflect.ValueOf(in.events))
			m["events"] = ev
		}
	}
	return m
}

// attrChains maps the hostnames a preference may name (EC2 filter names)
// to the instance attributes, as the plugin's tables do.
var attrChains = map[string][]string{
	"instance-id": {"InstanceId"}, "dns-name": {"PublicDnsName"}, "ip-address": {"PublicIpAddress"},
	"private-dns-name": {"PrivateDnsName"}, "private-ip-address": {"PrivateIpAddress"},
	"architecture": {"Architecture"}, "availability-zone": {"Placement", "AvailabilityZone"},
	"image-id": {"ImageId"}, "instance-type": {"InstanceType"}, "key-name": {"KeyName"},
	"subnet-id": {"SubnetId"}, "vpc-id": {"VpcId"}, "owner-id": {"OwnerId"}, "reservation-id": {"ReservationId"},
	"instance-state-name": {"State", "Name"}, "platform": {"Platform"}, "tenancy": {"Placement", "Tenancy"},
	"network-interface.private-dns-name":             {"NetworkInterfaces", "PrivateDnsName"},
	"network-interface.addresses.private-ip-address": {"NetworkInterfaces", "PrivateIpAddress"},
	"network-interface.association.public-ip":        {"NetworkInterfaces", "Association", "PublicIp"},
	"network-interface.ipv6-addresses.ipv6-address":  {"NetworkInterfaces", "Ipv6Addresses", "Ipv6Address"},
	"ipv6-address": {"Ipv6Address"},
}

// hostname is the instance's name by the first preference that gives one
// (default: dns-name, then private-dns-name); "" drops the instance.
func hostname(vars map[string]any, prefs []any, sanitize func(string) string) (string, error) {
	if len(prefs) == 0 {
		prefs = []any{"dns-name", "private-dns-name"}
	}
	for _, p := range prefs {
		var name string
		switch p := p.(type) {
		case string:
			n, err := preference(vars, p)
			if err != nil {
				return "", err
			}
			name = n
		case map[string]any:
			n, _ := p["name"].(string)
			if n == "" {
				return "", fmt.Errorf("hostnames: a mapping needs a name")
			}
			v, err := preference(vars, n)
			if err != nil {
				return "", err
			}
			name = v
			if pre, _ := p["prefix"].(string); pre != "" && v != "" {
				pv, err := preference(vars, pre)
				if err != nil {
					return "", err
				}
				sep := "_"
				if s, ok := p["separator"].(string); ok {
					sep = s
				}
				if pv != "" {
					name = pv + sep + v
				}
			}
		default:
			return "", fmt.Errorf("hostnames: entries are names or mappings, got %v", p)
		}
		if name != "" {
			if strings.Contains(name, ":") {
				name = sanitize(name)
			}
			return name, nil
		}
	}
	return "", nil
}

// preference is one hostnames entry's value for the instance.
func preference(vars map[string]any, p string) (string, error) {
	if rest, ok := strings.CutPrefix(p, "tag:"); ok {
		tags, _ := vars["tags"].(map[string]any)
		for _, t := range strings.Split(rest, ",") {
			if k, v, ok := strings.Cut(t, "="); ok {
				if fmt.Sprint(tags[k]) == v {
					return k + "_" + v, nil
				}
				continue
			}
			if v, ok := tags[t].(string); ok && v != "" {
				return v, nil
			}
		}
		return "", nil
	}
	chain, ok := attrChains[p]
	if !ok {
		names := make([]string, 0, len(attrChains))
		for n := range attrChains {
			names = append(names, n)
		}
		sort.Strings(names)
		return "", fmt.Errorf("hostnames: '%s' is not one drover has (tag:NAME, %s)", p, strings.Join(names, ", "))
	}
	var v any = vars
	for _, a := range chain {
		v = compile(v, camelToSnake(a))
	}
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	case []any:
		if len(v) == 0 {
			return "", nil
		}
		return fmt.Sprint(v[0]), nil
	default:
		return fmt.Sprint(v), nil
	}
}

// compile follows one attribute through a value or a list of them, as the
// plugin's _compile_values does (a one-element list is its element).
func compile(obj any, attr string) any {
	switch o := obj.(type) {
	case nil:
		return nil
	case []any:
		var out []any
		for _, e := range o {
			if x := compile(e, attr); x != nil && x != "" {
				out = append(out, x)
			}
		}
		if len(out) == 1 {
			return out[0]
		}
		return out
	case map[string]any:
		x := o[attr]
		if l, ok := x.([]any); ok && len(l) == 1 {
			return l[0]
		}
		return x
	}
	return nil
}

var contribUnsafe = regexp.MustCompile(`[^A-Za-z0-9_\-]`)

// sanitizer cleans a host name holding ':' as the plugin does: with
// use_contrib_script_compatible_sanitization its rule, else kept.
func (o *options) sanitizer() func(string) string {
	if o.c.Sanitize != nil {
		return o.c.Sanitize
	}
	return func(s string) string { return s }
}
