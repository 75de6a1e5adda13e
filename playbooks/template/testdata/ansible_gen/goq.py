def goq(s):
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == '"': out.append('\\"')
        elif ch == '\\': out.append('\\\\')
        elif ch == '\n': out.append('\\n')
        elif ch == '\t': out.append('\\t')
        elif ch == '\r': out.append('\\r')
        elif 0x20 <= o < 0x7f: out.append(ch)
        elif o < 0x80: out.append('\\x%02x' % o)
        elif 0xd800 <= o <= 0xdfff: out.append('\ufffd')
        else: out.append(ch)
    out.append('"')
    return ''.join(out)
