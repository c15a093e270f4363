# In the cell: an e-mail message (.eml) as plain text for Isola's text renderer: its main headers, decoded; its text
# body (or its HTML body reduced to text); and a list of its attachments (name, type, size). Nothing is fetched or
# opened here; an attached message is listed as one attachment, not walked into (unpack.py gives each attachment a view of its own).
# usage: python3 -I -c SCRIPT INPUT OUTPUT.txt
import email, email.policy, html.parser, sys

MAX_PARTS = 1000

def fail(why):
    print("render: cannot be rendered: " + why, file=sys.stderr)
    sys.exit(3)

class Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out, self.skip = [], 0
    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "head"):
            self.skip += 1
        elif tag in ("br", "p", "div", "tr", "li", "h1", "h2", "h3"):
            self.out.append("\n")
    def handle_endtag(self, tag):
        if tag in ("script", "style", "head") and self.skip:
            self.skip -= 1
    def handle_data(self, data):
        if not self.skip:
            self.out.append(data)

def body_text(part):
    try:
        content = part.get_content()
    except Exception:
        content = part.get_payload(decode=True) or b""
        content = content.decode("utf-8", "replace")
    if part.get_content_type() == "text/html":
        t = Text()
        t.feed(content)
        return "".join(t.out)
    return content

def parts(msg):
    """Every part, not walking into attached messages: each is one attachment (with a view of its own)."""
    stack = [msg]
    while stack:
        part = stack.pop(0)
        yield part
        if part.is_multipart() and part.get_content_type() != "message/rfc822":
            stack = list(part.get_payload()) + stack

def main(source, target):
    with open(source, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    lines = []
    for h in ("From", "To", "Cc", "Date", "Subject"):
        v = msg.get(h)
        if v is not None:
            lines.append(h + ": " + " ".join(str(v).split()))
    lines.append("")
    body = msg.get_body(preferencelist=("plain", "html"))
    lines.append(body_text(body) if body is not None else "(this message has no text)")
    attachments = []
    for n, part in enumerate(parts(msg)):
        if n > MAX_PARTS:
            fail("the message has more than " + str(MAX_PARTS) + " parts")
        if part is body or part.is_multipart() and part.get_content_type() != "message/rfc822":
            continue
        if part.get_content_disposition() == "attachment" or part.get_filename() or part.get_content_maintype() not in ("text", "multipart"):
            if part.get_content_type() == "message/rfc822":
                inner = part.get_payload()
                inner = inner[0] if isinstance(inner, list) and inner else None
                subject = " ".join(str(inner.get("Subject", "")).split()) if inner is not None else ""
                attachments.append("  " + (part.get_filename() or "an attached message") + " (message/rfc822"
                                   + (", subject: " + subject[:100] if subject else "") + ")")
                continue
            payload = part.get_payload(decode=True)
            size = len(payload) if isinstance(payload, bytes) else 0
            attachments.append("  " + " ".join((part.get_filename() or "(no name)").split()) + " ("
                               + part.get_content_type() + ", " + str(size) + " bytes)")
    if attachments:
        lines += ["", "Attachments (each has its own safe view beside this one; index.txt there says which):"] + attachments
    with open(target, "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")

try:
    main(sys.argv[1], sys.argv[2])
except SystemExit:
    raise
except Exception as e:
    fail(type(e).__name__ + ": " + " ".join(str(e).split())[:200])
