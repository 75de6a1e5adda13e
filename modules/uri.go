package modules

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

func init() {
	Register(uriModule{}, "ansible.builtin.uri", "ansible.legacy.uri")
}

// uriModule is Ansible's uri, run from the controller with net/http (the
// executor runs it there; a task delegated to localhost is the same).
type uriModule struct{}

func (uriModule) Name() string { return "uri" }

func (uriModule) Schema() Schema {
	return Schema{
		Args: map[string]Arg{
			"url":              {Type: TypeString, Required: true},
			"method":           {Type: TypeString, Default: "GET"},
			"status_code":      {Type: TypeList, Default: []any{200}},
			"return_content":   {Type: TypeBool, Default: false},
			"body":             {Type: TypeAny},
			"body_format":      {Type: TypeString, Default: "raw", Choices: []string{"raw", "json", "form-urlencoded"}},
			"headers":          {Type: TypeDict},
			"timeout":          {Type: TypeDuration, Default: 30},
			"validate_certs":   {Type: TypeBool, Default: true},
			"follow_redirects": {Type: TypeString, Default: "safe", Choices: []string{"all", "none", "safe", "urllib2", "yes", "no"}},
			"url_username":     {Type: TypeString, Aliases: []string{"user"}},
			"url_password":     {Type: TypeString, Aliases: []string{"password"}},
			"force_basic_auth": {Type: TypeBool, Default: false},
		},
		Unsupported: map[string]string{
			"dest": "downloading to a file is not supported", "src": "uploading a file is not supported",
			"creates": "not supported", "removes": "not supported",
			"client_cert": "client certificates are not supported", "client_key": "client certificates are not supported",
			"unix_socket": "not supported", "use_proxy": "the proxy environment is always honoured",
			"unredirected_headers": "not supported", "ca_path": "not supported", "use_gssapi": "not supported",
			"use_netrc": "not supported", "http_agent": "not supported", "decompress": "not supported", "ciphers": "not supported",
		},
	}
}

func (uriModule) Run(ctx context.Context, env *Env, args map[string]any) Result {
	u := argString(args, "url")
	method := strings.ToUpper(strArg(args, "method", "GET"))
	var codes []int
	for _, c := range argList(args, "status_code") {
		n, err := strconv.Atoi(c)
		if err != nil {
			return Fail(fmt.Sprintf("status_code must be a list of integers, got %q", c))
		}
		codes = append(codes, n)
	}
	if len(codes) == 0 {
		codes = []int{200}
	}
	timeout, err := argSeconds(args, "timeout", 30)
	if err != nil {
		return Fail(err.Error())
	}
	if env.Check {
		return Result{"changed": false, "skipped": true, "msg": "skipped, running in check mode"}
	}
	headers := map[string]string{}
	if h, ok := args["headers"].(map[string]any); ok {
		for k, v := range h {
			headers[k] = fmt.Sprint(v)
		}
	}
	var body io.Reader
	if b, ok := args["body"]; ok && b != nil {
		switch argString(args, "body_format") {
		case "json":
			var raw []byte
			if s, ok := b.(string); ok {
				raw = []byte(s)
			} else if raw, err = json.Marshal(b); err != nil {
				return Fail(fmt.Sprintf("failed to encode body as JSON: %v", err))
			}
			body = bytes.NewReader(raw)
			if _, ok := headers["Content-Type"]; !ok {
				headers["Content-Type"] = "application/json"
			}
		case "form-urlencoded":
			form := url.Values{}
			if m, ok := b.(map[string]any); ok {
				for k, v := range m {
					form.Set(k, fmt.Sprint(v))
				}
				body = strings.NewReader(form.Encode())
			} else {
				body = strings.NewReader(fmt.Sprint(b))
			}
			if _, ok := headers["Content-Type"]; !ok {
				headers["Content-Type"] = "application/x-www-form-urlencoded"
			}
		default:
			body = strings.NewReader(contentString(b))
		}
	}
	ctx, cancel := context.WithTimeout(ctx, time.Duration(timeout)*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return Result{"failed": true, "changed": false, "status": -1, "url": u, "msg": fmt.Sprintf("Status code was -1 and not %v: Request failed: %v", codes, err)}
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	if user := strArg(args, "url_username", argString(args, "user")); user != "" {
		req.SetBasicAuth(user, strArg(args, "url_password", argString(args, "password")))
	}
	redirected := false
	follow := strArg(args, "follow_redirects", "safe")
	client := &http.Client{
		Transport: &http.Transport{Proxy: http.ProxyFromEnvironment,
			TLSClientConfig: &tls.Config{InsecureSkipVerify: !argBool(args, "validate_certs", true)}}, //nolint:gosec // validate_certs: false asks for it
		CheckRedirect: func(r *http.Request, via []*http.Request) error {
			switch follow {
			case "none", "no":
				return http.ErrUseLastResponse
			case "safe", "urllib2":
				if r.Method != http.MethodGet && r.Method != http.MethodHead {
					return http.ErrUseLastResponse
				}
			}
			if len(via) >= 10 {
				return fmt.Errorf("stopped after 10 redirects")
			}
			redirected = true
			return nil
		},
	}
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return Result{"failed": true, "changed": false, "status": -1, "url": u, "redirected": false,
			"elapsed": int(time.Since(start).Seconds()), "msg": fmt.Sprintf("Status code was -1 and not %v: Request failed: %v", codes, err)}
	}
	defer resp.Body.Close()
	content, err := io.ReadAll(resp.Body)
	if err != nil {
		return Result{"failed": true, "changed": false, "status": resp.StatusCode, "url": u, "msg": fmt.Sprintf("failed to read the response: %v", err)}
	}
	res := Result{"changed": false, "failed": false, "status": resp.StatusCode, "url": resp.Request.URL.String(),
		"redirected": redirected, "elapsed": int(time.Since(start).Seconds()),
		"msg": fmt.Sprintf("OK (%d bytes)", len(content))}
	for k, v := range resp.Header {
		res[strings.ReplaceAll(strings.ToLower(k), "-", "_")] = strings.Join(v, ", ")
	}
	if argBool(args, "return_content", false) {
		res["content"] = string(content)
	}
	if strings.Contains(resp.Header.Get("Content-Type"), "json") {
		var js any
		if json.Unmarshal(content, &js) == nil {
			res["json"] = js
		}
	}
	ok := false
	for _, c := range codes {
		ok = ok || c == resp.StatusCode
	}
	if !ok {
		res["failed"] = true
		res["msg"] = fmt.Sprintf("Status code was %d and not %v: HTTP Error %d: %s", resp.StatusCode, codes, resp.StatusCode, http.StatusText(resp.StatusCode))
		if !argBool(args, "return_content", false) {
			res["content"] = string(content)
		}
	}
	return res
}
