# In the cell: HTML or EPUB to one PDF with WeasyPrint, which runs no script. Nothing is fetched but data: URLs and,
# for an EPUB, the book's own files, read from its zip within size limits (a decompression bomb stops here).
# usage: python3 -I -c SCRIPT (html|epub) INPUT OUTPUT.pdf; exit 3 with one line on stderr for a bad input.
import posixpath, sys, urllib.parse, zipfile
import xml.etree.ElementTree as ET

MAX_MEMBER = 64 << 20    # bytes of one file of a book, unpacked
MAX_BOOK = 256 << 20     # bytes of all of them
MAX_RATIO = 200          # unpacked to packed: more is a bomb
BOOK = "http://book.invalid/"

def fail(why):
    print("render: cannot be rendered: " + why, file=sys.stderr)
    sys.exit(3)

try:
    import weasyprint
except ImportError:
    print("render: the cell lacks WeasyPrint: apt-get install weasyprint", file=sys.stderr)
    sys.exit(4)

def deny(url, timeout=10, ssl_context=None):
    if url.startswith("data:"):
        return weasyprint.default_url_fetcher(url)
    raise ValueError("external content is not fetched")

class Book:
    def __init__(self, path):
        self.zip = zipfile.ZipFile(path)
        self.read_total = 0
        for info in self.zip.infolist():
            if info.file_size > MAX_MEMBER or info.file_size > MAX_RATIO * max(info.compress_size, 1024):
                fail("the book holds a file that unpacks to " + str(info.file_size) + " bytes: a decompression bomb")

    def read(self, name):
        info = self.zip.getinfo(name)
        self.read_total += info.file_size
        if self.read_total > MAX_BOOK:
            fail("the book unpacks to more than " + str(MAX_BOOK) + " bytes")
        with self.zip.open(info) as f:
            data = f.read(MAX_MEMBER + 1)
        if len(data) > MAX_MEMBER:
            fail("a file of the book unpacks to more than it says")
        return data

    def fetch(self, url, timeout=10, ssl_context=None):
        if url.startswith("data:"):
            return weasyprint.default_url_fetcher(url)
        if not url.startswith(BOOK):
            raise ValueError("external content is not fetched")
        name = posixpath.normpath(urllib.parse.unquote(url[len(BOOK):].split("#")[0].split("?")[0]))
        return {"string": self.read(name), "redirected_url": url}

    def chapters(self):
        container = ET.fromstring(self.read("META-INF/container.xml"))
        rootfile = next(e for e in container.iter() if e.tag.endswith("rootfile")).get("full-path")
        opf = ET.fromstring(self.read(rootfile))
        base = posixpath.dirname(rootfile)
        items = {e.get("id"): e.get("href") for e in opf.iter() if e.tag.endswith("}item")}
        spine = [e.get("idref") for e in opf.iter() if e.tag.endswith("}itemref")]
        return [posixpath.normpath(posixpath.join(base, urllib.parse.unquote(items[i]))) for i in spine if i in items]

def main(kind, source, target):
    try:
        if kind == "html":
            weasyprint.HTML(filename=source, url_fetcher=deny).write_pdf(target)
            return
        book = Book(source)
        docs = [weasyprint.HTML(string=book.read(c), base_url=BOOK + c, url_fetcher=book.fetch).render()
                for c in book.chapters()]
        if not docs:
            fail("the book has no chapters")
        pages = [p for d in docs for p in d.pages]
        docs[0].copy(pages).write_pdf(target)
    except SystemExit:
        raise
    except Exception as e:
        fail(type(e).__name__ + ": " + " ".join(str(e).split())[:200])

main(*sys.argv[1:4])
