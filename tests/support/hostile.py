"""Hostile names for escaping tests: each breaks out of HTML, a script, a JS template literal
or a Jinja template if a page puts it there unescaped."""

from __future__ import annotations

XSS_IMG = "<img src=x onerror=alert(1)>\"'`${x}`"
XSS_SCRIPT = "</script><script>alert(1)</script>"
XSS_FLAG = '${window.__xss=1}`;window.__xss=1;//<img src=y onerror="window.__xss=1">\\'
# Folium re-compiles element output as Jinja: template syntax must stay text (no SSTI).
XSS_TEMPLATE = "{{ 7*7 }}{% if true %}ssti{% endif %}{# c #}"
HOSTILE = (XSS_IMG, XSS_SCRIPT, XSS_FLAG, XSS_TEMPLATE)
