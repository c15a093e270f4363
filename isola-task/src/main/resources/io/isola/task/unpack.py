# In the cell: the members of a zip or tar archive, a compressed file, or the attachments of an e-mail message,
# written to OUT/m-N (N = the member's number) with a list of every member, OUT/members.tsv: one line each,
#   N <tab> file|skipped|refused <tab> bytes <tab> the member's name in hex (UTF-8) <tab> why
# A member's name is never used as a path: nothing here can write anywhere but OUT/m-N, so "../x", "/etc/x" and
# names of links cannot reach outside. Links, devices and folders are listed, never made. Every bound is checked
# before a byte is inflated where the archive declares sizes, and again while inflating, since declarations lie:
# past one, the whole container is refused in one line (a decompression bomb), and the host keeps nothing.
# usage: python3 -I -c SCRIPT KIND INPUT OUT MAX_MEMBERS MAX_MEMBER_BYTES MAX_TOTAL_BYTES
#   KIND: archive (zip, tar, tar.gz/bz2/xz or one compressed file) or mail
import bz2, email, email.policy, gzip, io, lzma, os, stat, sys, tarfile, threading, zipfile

def refuse(why):
    print("unpack: " + why, file=sys.stderr)
    sys.exit(3)

def mib(n):
    return str(n >> 20) + " MiB" if n >= 1 << 20 else str(n) + " bytes"

class Members:
    def __init__(self, out, max_members, max_member, max_total):
        self.out, self.max_members, self.max_member, self.max_total = out, max_members, max_member, max_total
        self.n, self.total, self.lines = 0, 0, []

    def _next(self):
        self.n += 1
        if self.n > self.max_members:
            refuse("it holds more than " + str(self.max_members) + " members (a decompression bomb?)")
        return self.n

    def _line(self, n, status, size, name, why):
        hexname = name.encode("utf-8", "surrogateescape")[:1024].hex()
        self.lines.append("\t".join((str(n), status, str(size), hexname, " ".join(why.split())[:300])))

    def listed(self, name, status, why):
        self._line(self._next(), status, 0, name, why)

    def file(self, name, stream, declared=None):
        n = self._next()
        if declared is not None:
            self._bound(name, declared)
        path = os.path.join(self.out, "m-" + str(n))
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        size = 0
        try:
            with os.fdopen(fd, "wb") as f:
                while True:
                    chunk = stream.read(1 << 16)
                    if not chunk:
                        break
                    size += len(chunk)
                    self._bound(name, size)
                    f.write(chunk)
        except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError, lzma.LZMAError, ValueError, RuntimeError) as e:
            if isinstance(e, OSError) and e.errno is not None and e.errno == 28:  # ENOSPC: the cell's disk
                refuse("it unpacks to more than the cell's disk holds (a decompression bomb?)")
            os.unlink(path)
            self._line(n, "refused", 0, name, "corrupt, cannot be unpacked (" + type(e).__name__ + ")")
            return
        self.total += size
        self._line(n, "file", size, name, "")

    def _bound(self, name, size):
        if size > self.max_member:
            refuse("member " + printable(name) + " unpacks to more than " + mib(self.max_member)
                   + " (a decompression bomb?)")
        if self.total + size > self.max_total:
            refuse("its members unpack to more than " + mib(self.max_total) + " in all (a decompression bomb?)")

    def write(self):
        with open(os.path.join(self.out, "members.tsv"), "w", encoding="ascii") as f:
            f.write("".join(line + "\n" for line in self.lines))

def printable(name):
    s = "".join(c if c.isprintable() else "?" for c in name)
    return "'" + (s if len(s) <= 80 else s[:80] + "...") + "'"

def zip_members(path, m):
    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
        if len(infos) > m.max_members:
            refuse("it holds " + str(len(infos)) + " members, more than " + str(m.max_members)
                   + " (a decompression bomb?)")
        for info in infos:
            mode = (info.external_attr >> 16) & 0o170000 if info.create_system == 3 else 0
            if info.is_dir() or mode == stat.S_IFDIR:
                m.listed(info.filename, "skipped", "a folder (its files are listed on their own)")
            elif mode == stat.S_IFLNK:
                m.listed(info.filename, "refused", "a symbolic link (links are never followed)")
            elif mode not in (0, stat.S_IFREG):
                m.listed(info.filename, "refused", "a device or special file")
            elif info.flag_bits & 1:
                m.listed(info.filename, "refused", "encrypted (it needs a password)")
            else:
                try:
                    stream = z.open(info)
                except (NotImplementedError, zipfile.BadZipFile, RuntimeError) as e:
                    m.listed(info.filename, "refused", "cannot be unpacked (" + " ".join(str(e).split())[:100] + ")")
                    continue
                with stream:
                    m.file(info.filename, stream, info.file_size)

def tar_members(path, m):
    with tarfile.open(path, "r|*") as t:
        for info in t:
            if info.isreg():
                m.file(info.name, t.extractfile(info), info.size)
            elif info.isdir():
                m.listed(info.name, "skipped", "a folder (its files are listed on their own)")
            elif info.issym() or info.islnk():
                m.listed(info.name + " -> " + info.linkname, "refused",
                         ("a symbolic" if info.issym() else "a hard") + " link (links are never followed)")
            else:
                # tarfile skips (inflates) the data of a type it does not know: bounded like a member's
                m._bound(info.name, info.size)
                m.listed(info.name, "refused", "a device or special file")

COMPRESSED = ((b"\x1f\x8b", gzip.open, ".gz"), (b"BZh", bz2.open, ".bz2"), (b"\xfd7zXZ\x00", lzma.open, ".xz"))

def starts_as_tar(path, compression):
    """Whether the (inflated) file begins with a valid tar header: tarfile takes a block of zeros for the end of an
    empty archive, so a compressed file of zeros would otherwise pass for an empty tar rather than be inflated."""
    with (compression[1] if compression else open)(path, "rb") as f:
        block = f.read(512)
    try:
        tarfile.TarInfo.frombuf(block, "utf-8", "surrogateescape")
        return True
    except tarfile.HeaderError:
        return False

def archive(path, m):
    if zipfile.is_zipfile(path):
        return zip_members(path, m)
    with open(path, "rb") as f:
        head = f.read(8)
    compression = next((c for c in COMPRESSED if head.startswith(c[0])), None)
    if starts_as_tar(path, compression):
        return tar_members(path, m)
    if compression:  # one compressed file, not a tar: its content is the one member
        name, suffix = os.path.basename(path), compression[2]
        name = name[: -len(suffix)] if name.endswith(suffix) and len(name) > len(suffix) else name + ".out"
        with compression[1](path, "rb") as stream:
            m.file(name, stream)
        return
    refuse("cannot be unpacked: not a zip or tar archive Isola can read")

def mail_parts(msg, m):
    """The attachments: every part but the text body, not descending into attached messages (each is a member)."""
    body = msg.get_body(preferencelist=("plain", "html"))
    stack, seen = [msg], 0
    while stack:
        part = stack.pop(0)
        seen += 1
        if seen > 4 * m.max_members:
            refuse("the message has more than " + str(4 * m.max_members) + " parts (a bomb?)")
        ctype = part.get_content_type()
        if part is body:
            continue
        if part.is_multipart() and ctype != "message/rfc822":
            stack = list(part.get_payload()) + stack
            continue
        if part is msg:
            continue
        if not (part.get_content_disposition() == "attachment" or part.get_filename()
                or part.get_content_maintype() not in ("text", "multipart")):
            continue
        name = " ".join((part.get_filename() or "").split())
        if ctype == "message/rfc822":
            inner = part.get_payload()
            data = (inner[0] if isinstance(inner, list) and inner else part).as_bytes()
            name = name or "message.eml"
        else:
            data = part.get_payload(decode=True)
            data = data if isinstance(data, bytes) else b""
            name = name or "attachment"
        m.file(name, io.BytesIO(data), len(data))

def mail(path, m):
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    mail_parts(msg, m)

def main(kind, path, out, max_members, max_member, max_total):
    m = Members(out, int(max_members), int(max_member), int(max_total))
    (mail if kind == "mail" else archive)(path, m)
    m.write()

def run():
    try:
        main(*sys.argv[1:7])
    except SystemExit as e:
        status[0] = e.code
    except RecursionError:
        refuse_in_thread("it is nested too deeply to unpack (a bomb?)")
    except Exception as e:
        refuse_in_thread("cannot be unpacked: " + type(e).__name__ + ": " + " ".join(str(e).split())[:200])

def refuse_in_thread(why):
    try:
        refuse(why)
    except SystemExit as e:
        status[0] = e.code

# Messages nest as deep as their sender likes, and Python's email package walks and writes them recursively: a deep
# stack (memory only as it is used) and a high recursion limit take hundreds of levels; past those, a refusal.
status = [0]
sys.setrecursionlimit(20000)
threading.stack_size(256 << 20)
worker = threading.Thread(target=run)
worker.start()
worker.join()
sys.exit(status[0])
