// Package fakeec2 is an EC2 Query API endpoint for tests: DescribeRegions,
// DescribeInstances (filters, pages) and DescribeInstanceStatus (scheduled
// events) over a fixed set of instances, answering only requests signed
// with SigV4 for its access key. Requests are recorded.
package fakeec2

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Instance is one fake instance.
type Instance struct {
	ID, Region, AZ, Type, State string
	PrivateIP, PrivateDNS       string
	PublicIP, PublicDNS         string
	Tags                        map[string]string
	// Events are its scheduled events (DescribeInstanceStatus).
	Events []Event
}

// Event is a scheduled event.
type Event struct {
	Code, Description string
	NotBefore         time.Time
}

// Request is one API call the server answered.
type Request struct {
	Action, Region, AccessKey string
	Form                      url.Values
}

// Server is the fake endpoint; URL is its base.
type Server struct {
	URL       string
	AccessKey string // the only access key id it answers
	PageSize  int    // instances per DescribeInstances page (0: all)
	srv       *httptest.Server
	mu        sync.Mutex
	instances []Instance
	requests  []Request
}

// New starts a server over instances; Close stops it.
func New(accessKey string, instances []Instance) *Server {
	s := &Server{AccessKey: accessKey, instances: instances}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Requests returns the calls answered so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

var credRE = regexp.MustCompile(`Credential=([^/]+)/[0-9]+/([^/]+)/ec2/aws4_request`)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	m := credRE.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil || m[1] != s.AccessKey {
		fail(w, http.StatusForbidden, "AuthFailure", "AWS was not able to validate the provided access credentials")
		return
	}
	if err := r.ParseForm(); err != nil {
		fail(w, http.StatusBadRequest, "InvalidParameterValue", err.Error())
		return
	}
	req := Request{Action: r.Form.Get("Action"), Region: m[2], AccessKey: m[1], Form: r.Form}
	s.mu.Lock()
	s.requests = append(s.requests, req)
	s.mu.Unlock()
	switch req.Action {
	case "DescribeRegions":
		s.regions(w)
	case "DescribeInstances":
		s.describe(w, req)
	case "DescribeInstanceStatus":
		s.status(w, req)
	default:
		fail(w, http.StatusBadRequest, "InvalidAction", "The action "+req.Action+" is not valid for this web service.")
	}
}

func fail(w http.ResponseWriter, status int, code, msg string) {
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors><RequestID>fake</RequestID></Response>`, code, xmlText(msg))
}

func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

func (s *Server) regions(w http.ResponseWriter) {
	seen := map[string]bool{}
	var b strings.Builder
	b.WriteString(`<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>fake</requestId><regionInfo>`)
	for _, in := range s.instances {
		if !seen[in.Region] {
			seen[in.Region] = true
			fmt.Fprintf(&b, `<item><regionName>%s</regionName><regionEndpoint>ec2.%s.amazonaws.com</regionEndpoint></item>`, in.Region, in.Region)
		}
	}
	b.WriteString(`</regionInfo></DescribeRegionsResponse>`)
	w.Write([]byte(b.String())) //nolint:errcheck
}

// filters reads Filter.N.Name / Filter.N.Value.M.
func filters(f url.Values) map[string][]string {
	out := map[string][]string{}
	for n := 1; ; n++ {
		name := f.Get(fmt.Sprintf("Filter.%d.Name", n))
		if name == "" {
			return out
		}
		for m := 1; ; m++ {
			v, ok := f[fmt.Sprintf("Filter.%d.Value.%d", n, m)]
			if !ok {
				break
			}
			out[name] = append(out[name], v...)
		}
	}
}

func (in Instance) matches(fs map[string][]string) bool {
	for name, vals := range fs {
		var have string
		switch {
		case name == "instance-state-name":
			have = in.State
		case name == "instance-id":
			have = in.ID
		case name == "availability-zone":
			have = in.AZ
		case name == "instance-type":
			have = in.Type
		case name == "private-ip-address":
			have = in.PrivateIP
		case strings.HasPrefix(name, "tag:"):
			have = in.Tags[strings.TrimPrefix(name, "tag:")]
		default:
			return false // a filter the fake does not know matches nothing
		}
		if !slices.Contains(vals, have) {
			return false
		}
	}
	return true
}

func (s *Server) describe(w http.ResponseWriter, req Request) {
	fs := filters(req.Form)
	var match []Instance
	for _, in := range s.instances {
		if in.Region == req.Region && in.matches(fs) {
			match = append(match, in)
		}
	}
	sort.Slice(match, func(i, j int) bool { return match[i].ID < match[j].ID })
	start, _ := strconv.Atoi(req.Form.Get("NextToken"))
	end := len(match)
	if s.PageSize > 0 {
		end = min(start+s.PageSize, len(match))
	}
	var b strings.Builder
	b.WriteString(`<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>fake</requestId><reservationSet>`)
	for _, in := range match[min(start, len(match)):end] {
		fmt.Fprintf(&b, `<item><reservationId>r-%s</reservationId><ownerId>123456789012</ownerId><instancesSet><item>`, in.ID)
		fmt.Fprintf(&b, `<instanceId>%s</instanceId><imageId>ami-0abc</imageId><instanceState><code>16</code><name>%s</name></instanceState>`, in.ID, in.State)
		fmt.Fprintf(&b, `<privateDnsName>%s</privateDnsName><dnsName>%s</dnsName><instanceType>%s</instanceType>`, in.PrivateDNS, in.PublicDNS, in.Type)
		fmt.Fprintf(&b, `<launchTime>2026-11-01T10:00:00.000Z</launchTime><placement><availabilityZone>%s</availabilityZone><tenancy>default</tenancy></placement>`, in.AZ)
		fmt.Fprintf(&b, `<privateIpAddress>%s</privateIpAddress>`, in.PrivateIP)
		if in.PublicIP != "" {
			fmt.Fprintf(&b, `<ipAddress>%s</ipAddress>`, in.PublicIP)
		}
		b.WriteString(`<groupSet><item><groupId>sg-0001</groupId><groupName>default</groupName></item></groupSet><tagSet>`)
		keys := make([]string, 0, len(in.Tags))
		for k := range in.Tags {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, `<item><key>%s</key><value>%s</value></item>`, xmlText(k), xmlText(in.Tags[k]))
		}
		b.WriteString(`</tagSet></item></instancesSet></item>`)
	}
	b.WriteString(`</reservationSet>`)
	if end < len(match) {
		fmt.Fprintf(&b, `<nextToken>%d</nextToken>`, end)
	}
	b.WriteString(`</DescribeInstancesResponse>`)
	w.Write([]byte(b.String())) //nolint:errcheck
}

func (s *Server) status(w http.ResponseWriter, req Request) {
	var ids []string
	for n := 1; ; n++ {
		v := req.Form.Get(fmt.Sprintf("InstanceId.%d", n))
		if v == "" {
			break
		}
		ids = append(ids, v)
	}
	var b strings.Builder
	b.WriteString(`<DescribeInstanceStatusResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>fake</requestId><instanceStatusSet>`)
	for _, in := range s.instances {
		if in.Region != req.Region || !slices.Contains(ids, in.ID) {
			continue
		}
		fmt.Fprintf(&b, `<item><instanceId>%s</instanceId><availabilityZone>%s</availabilityZone><instanceState><code>16</code><name>%s</name></instanceState>`, in.ID, in.AZ, in.State)
		if len(in.Events) > 0 {
			b.WriteString(`<eventsSet>`)
			for i, e := range in.Events {
				fmt.Fprintf(&b, `<item><instanceEventId>instance-event-%d</instanceEventId><code>%s</code><description>%s</description><notBefore>%s</notBefore></item>`,
					i, e.Code, xmlText(e.Description), e.NotBefore.UTC().Format("2006-01-02T15:04:05.000Z"))
			}
			b.WriteString(`</eventsSet>`)
		}
		b.WriteString(`</item>`)
	}
	b.WriteString(`</instanceStatusSet></DescribeInstanceStatusResponse>`)
	w.Write([]byte(b.String())) //nolint:errcheck
}
