/**
 * Names a generated repo's package must not take: Python keywords, and the
 * modules it would shadow. `src/` comes first on the path of the tests and
 * the images, so a package named `logging` or `yaml` would be imported in
 * place of the standard module or the dependency, and break the project.
 */

export const PYTHON_KEYWORDS = new Set([
  'false', 'none', 'true', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue',
  'def', 'del', 'elif', 'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in',
  'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try', 'while', 'with', 'yield',
]);

/** Module names the generated `src/` already uses. */
export const PROJECT_MODULES = new Set(['tests', 'process_data', 'train_model', 'tune_model', 'batch_infer', 'conftest']);

/**
 * Python's standard modules (`sys.stdlib_module_names` of 3.11, the oldest
 * supported version: later versions only drop some), lower case, without
 * the private ones.
 */
export const STDLIB_MODULES = new Set(`
abc aifc antigravity argparse array ast asynchat asyncio asyncore atexit audioop base64 bdb binascii
bisect builtins bz2 calendar cgi cgitb chunk cmath cmd code codecs codeop collections colorsys
compileall concurrent configparser contextlib contextvars copy copyreg crypt csv ctypes curses
dataclasses datetime dbm decimal difflib dis distutils doctest email encodings ensurepip enum errno
faulthandler fcntl filecmp fileinput fnmatch fractions ftplib functools gc genericpath getopt
getpass gettext glob graphlib grp gzip hashlib heapq hmac html http idlelib imaplib imghdr imp
importlib inspect io ipaddress itertools json keyword lib2to3 linecache locale logging lzma mailbox
mailcap marshal math mimetypes mmap modulefinder msilib msvcrt multiprocessing netrc nis nntplib nt
ntpath nturl2path numbers opcode operator optparse os ossaudiodev pathlib pdb pickle pickletools
pipes pkgutil platform plistlib poplib posix posixpath pprint profile pstats pty pwd py_compile
pyclbr pydoc pydoc_data pyexpat queue quopri random re readline reprlib resource rlcompleter runpy
sched secrets select selectors shelve shlex shutil signal site smtpd smtplib sndhdr socket
socketserver spwd sqlite3 sre_compile sre_constants sre_parse ssl stat statistics string stringprep
struct subprocess sunau symtable sys sysconfig syslog tabnanny tarfile telnetlib tempfile termios
textwrap this threading time timeit tkinter token tokenize tomllib trace traceback tracemalloc tty
turtle turtledemo types typing unicodedata unittest urllib uu uuid venv warnings wave weakref
webbrowser winreg winsound wsgiref xdrlib xml xmlrpc zipapp zipfile zipimport zlib zoneinfo
`.trim().split(/\s+/));

/**
 * What requirements.txt and dev-requirements.txt install, by import name,
 * with the packages they pull in that the project or its tools import.
 */
export const DEPENDENCY_MODULES = new Set(`
sklearn scipy threadpoolctl pandas numpy dateutil pytz tzdata joblib yaml omegaconf antlr4 pydevd_plugins fastapi
starlette anyio sniffio idna pydantic pydantic_core typing_extensions annotated_types uvicorn click h11
httpx httpcore certifi pytest py pluggy iniconfig packaging pytest_cov coverage pylint astroid isort mccabe
dill platformdirs tomlkit mkdocs material jinja2 markupsafe markdown pygments pymdownx watchdog pathspec
mergedeep ghp_import yaml_env_tag requests urllib3 charset_normalizer babel colorama paginate regex
backrefs optuna sqlalchemy alembic mako greenlet cmaes colorlog tqdm
`.trim().split(/\s+/));
