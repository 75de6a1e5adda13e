package runner

import (
	"strings"
)

// parseDistFile is DistributionFiles._parse_dist_file and its
// parse_distribution_file_NAME functions: whether the file identifies
// the distribution, and the facts it gives. facts: the facts so far (the
// guess); guessName: get_distribution().
func parseDistFile(in distInput, name, data, path string, facts map[string]any, guessName string) (bool, map[string]any, error) {
	out := map[string]any{}
	data = strings.Trim(data, `'"\`)
	lower := strings.ToLower(data)
	has := func(s string) bool { return strings.Contains(data, s) }
	if s, ok := distSearchString[name]; ok {
		if has(s) {
			out["distribution"], out["distribution_file_search_string"] = name, s
		} else {
			f := strings.FieldsFunc(data, isPySpace)
			if len(f) == 0 {
				return false, nil, errPython("IndexError: list index out of range")
			}
			out["distribution"] = f[0]
		}
		return true, out, nil
	}
	if name == "Archlinux" {
		if has("Arch Linux") {
			out["distribution"] = name
			return true, out, nil
		}
		return false, out, nil
	}
	switch name {
	case "Slackware":
		if !has("Slackware") {
			return false, out, nil
		}
		out["distribution"] = name
		if v := reSlackware.FindString(data); v != "" {
			out["distribution_version"] = v
		}
	case "Amazon":
		if !has("Amazon") {
			return false, out, nil
		}
		out["distribution"] = "Amazon"
		if path == "/etc/os-release" {
			if m := search(reQVersionID, data); m != nil {
				out["distribution_version"] = m[1]
				parts := strings.Split(m[1], ".")
				major, minor := parts[0], "NA"
				if len(parts) > 2 {
					return false, nil, errPython("ValueError: too many values to unpack")
				} else if len(parts) == 2 {
					minor = parts[1]
				}
				out["distribution_major_version"], out["distribution_minor_version"] = major, minor
			}
		} else {
			v := "NA"
			for _, n := range strings.FieldsFunc(data, isPySpace) {
				if isDigits(n) {
					v = n
					break
				}
			}
			out["distribution_version"] = v
		}
	case "OpenWrt":
		if !has("OpenWrt") {
			return false, out, nil
		}
		out["distribution"] = name
		if m := search(reDistribRelQ, data); m != nil {
			out["distribution_version"] = m[1]
		}
		if m := search(reDistribCodeQ, data); m != nil {
			out["distribution_release"] = m[1]
		}
	case "Alpine":
		out["distribution"], out["distribution_version"] = "Alpine", data
	case "SUSE":
		if !strings.Contains(lower, "suse") {
			return false, out, nil
		}
		switch path {
		case "/etc/os-release":
			for _, line := range pySplitLines(data) {
				if m := search(reLineName, line); m != nil {
					out["distribution"] = strings.Trim(m[1], `"`)
				}
				if m := search(reSuseVersion, line); m != nil {
					out["distribution_version"] = m[1]
					out["distribution_major_version"], _, _ = strings.Cut(m[1], ".")
				}
				if strings.Contains(lower, "open") {
					if m := search(reSuseRelease, line); m != nil {
						out["distribution_release"] = m[1]
					}
				} else if strings.Contains(lower, "enterprise") && strings.Contains(line, "VERSION_ID") {
					m := search(reSuseRelease, line)
					if m == nil {
						return false, nil, errPython("AttributeError: 'NoneType' object has no attribute 'group'")
					}
					r := m[1]
					if r == "" {
						r = "0"
					}
					out["distribution_release"] = r
				}
			}
		case "/etc/SuSE-release":
			if strings.Contains(lower, "open") {
				first := pySplitLines(in.content(path))
				if len(first) == 0 || len(strings.FieldsFunc(first[0], isPySpace)) == 0 {
					return false, nil, errPython("IndexError: list index out of range")
				}
				out["distribution"] = strings.FieldsFunc(first[0], isPySpace)[0]
				for _, line := range pySplitLines(data) {
					if m := search(reSuseCodename, line); m != nil {
						out["distribution_release"] = pyStrip(m[1])
					}
				}
			} else if strings.Contains(lower, "enterprise") {
				lines := pySplitLines(data)
				if len(lines) == 0 || len(strings.FieldsFunc(lines[0], isPySpace)) == 0 {
					return false, nil, errPython("IndexError: list index out of range")
				}
				if has("Server") {
					out["distribution"] = "SLES"
				} else if has("Desktop") {
					out["distribution"] = "SLED"
				}
				for _, line := range lines {
					if m := search(reSusePatch, line); m != nil {
						out["distribution_release"] = m[1]
						out["distribution_version"] = facts["distribution_version"].(string) + "." + m[1]
					}
				}
			}
		}
		if in.sap {
			out["distribution"] = "SLES_SAP"
		}
	case "Debian":
		switch {
		case has("Debian") || has("Raspbian"):
			out["distribution"] = "Debian"
			if m := search(reDebianRelease, data); m != nil {
				out["distribution_release"] = m[1]
			}
			// (the dpkg --status tzdata fallback, for a release still
			// NA, never runs: Ansible runs its pipe without a shell,
			// and dpkg fails)
			for _, line := range pySplitLines(in.content("/etc/debian_version")) {
				if m := search(reDebianMinor, pyStrip(line)); m != nil {
					out["distribution_minor_version"] = m[2]
				}
			}
		case has("Ubuntu"):
			out["distribution"] = "Ubuntu"
		case has("SteamOS"):
			out["distribution"] = "SteamOS"
		case (path == "/etc/lsb-release" || path == "/etc/os-release") && (has("Kali") || has("Parrot")):
			out["distribution"] = "Parrot"
			if has("Kali") {
				out["distribution"] = "Kali"
			}
			if m := search(reDistribRel, data); m != nil {
				out["distribution_release"] = m[1]
			}
		case has("Devuan"):
			out["distribution"] = "Devuan"
			if m := search(reDevuanRelease, data); m != nil {
				out["distribution_release"] = m[1]
			}
			if m := search(reQVersionID, data); m != nil {
				out["distribution_version"], out["distribution_major_version"] = m[1], m[1]
			}
		case has("Cumulus"):
			out["distribution"] = "Cumulus Linux"
			if m := search(reVersionIDAny, data); m != nil {
				parts := strings.Split(m[1], ".")
				if len(parts) != 3 {
					return false, nil, errPython("ValueError: not enough values to unpack")
				}
				out["distribution_version"], out["distribution_major_version"] = m[1], parts[0]
			}
			if m := search(reQVersion, data); m != nil {
				out["distribution_release"] = m[1]
			}
		case has("Mint"):
			out["distribution"] = "Linux Mint"
			if m := search(reQVersionID, data); m != nil {
				out["distribution_version"] = m[1]
				out["distribution_major_version"], _, _ = strings.Cut(m[1], ".")
			}
		case has("UOS") || has("Uos") || has("uos"), has("Deepin") || has("deepin"):
			out["distribution"] = "Uos"
			if !(has("UOS") || has("Uos") || has("uos")) {
				out["distribution"] = "Deepin"
			}
			if m := search(reCodenameQ, data); m != nil {
				out["distribution_release"] = m[1]
			}
			if m := search(reQVersionID, data); m != nil {
				out["distribution_version"] = m[1]
				out["distribution_major_version"], _, _ = strings.Cut(m[1], ".")
			}
		default:
			return false, out, nil
		}
	case "Mandriva":
		if !has("Mandriva") {
			return false, out, nil
		}
		if m := search(reDistribRelQ, data); m != nil {
			out["distribution_version"] = m[1]
		}
		if m := search(reDistribCodeQ, data); m != nil {
			out["distribution_release"] = m[1]
		}
		out["distribution"] = name
	case "NA":
		for _, line := range pySplitLines(data) {
			if m := search(reLineName, line); m != nil {
				out["distribution"] = strings.Trim(m[1], `"`)
			}
			if m := search(reLineVersion, line); m != nil && facts["distribution_version"] == "NA" {
				out["distribution_version"] = strings.Trim(m[1], `"`)
			}
		}
	case "Coreos":
		if strings.ToLower(guessName) != "coreos" || data == "" {
			return false, out, nil
		}
		if m := search(reGroup, data); m != nil {
			out["distribution_release"] = strings.Trim(m[1], `"`)
		}
	case "Flatcar":
		if strings.ToLower(guessName) != "flatcar" || data == "" {
			return false, out, nil
		}
		if m := search(reVersionAny, data); m != nil {
			v := strings.Trim(m[1], `"`)
			out["distribution_major_version"], _, _ = strings.Cut(v, ".")
			out["distribution_version"] = v
		}
	case "ClearLinux":
		if m := search(reQName, data); m != nil {
			if !strings.Contains(m[1], "Clear Linux") {
				return false, out, nil
			}
			out["distribution"] = m[1]
		}
		if m := search(reVersionIDAny, data); m != nil {
			out["distribution_major_version"], out["distribution_version"] = m[1], m[1]
		}
		if m := search(reIDAny, data); m != nil {
			out["distribution_release"] = m[1]
		}
	case "CentOS":
		switch {
		case has("CentOS Stream"):
			out["distribution_release"] = "Stream"
		case has("TencentOS Server"):
			out["distribution"] = "TencentOS"
		default:
			return false, out, nil
		}
	default: // no parser (Gentoo)
		return false, out, nil
	}
	return true, out, nil
}
