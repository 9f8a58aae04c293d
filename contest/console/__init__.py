"""The organiser's console: work that spans domains — configuring a contest against what already depends on
it, the dashboard's figures, import and export of a contest, who has access, the read models of the
organiser's pages, the upload sweep. It may use every domain; only the web layer and the entry points use it.
"""
