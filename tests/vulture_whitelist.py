# ruff: noqa
"""Names the dead-code scan (tests/test_dead_code.py, vulture) cannot see used. Only parsed, never
run. Add a name here only with the reason it is used; anything else it finds is dead: delete it."""

# Properties set on python-pptx, WeasyPrint, zipfile and Pango objects: the library reads them.
_.alignment, _.auto_size, _.dash_style, _.gap_width, _.has_data_labels, _.has_legend
_.has_major_gridlines, _.has_minor_gridlines, _.has_title, _.include_in_layout, _.line_spacing
_.major_tick_mark, _.major_unit, _.margin_bottom, _.margin_left, _.maximum_scale, _.minimum_scale
_.number_format_is_linked, _.overlap, _.reverse_order, _.show_value, _.smooth, _.space_after
_.space_before, _.tick_label_position, _.vary_by_categories, _.vertical_anchor, _.visible
_.word_wrap, _._blob  # python-pptx: chart and text formatting, an image part's bytes
_.author, _.comments, _.language, _.last_modified_by, _.last_printed, _.revision, _.subject
_.created, _.modified  # python-pptx core properties and WeasyPrint's DocumentMetadata
_.authors, _.description, _.generator  # WeasyPrint DocumentMetadata
_.compress_type, _.external_attr  # zipfile.ZipInfo
_.pango_layout, _.start_index, _.end_index  # WeasyPrint's text boxes; Pango attributes
_.Dest, _.Contents, _.StructParents  # pikepdf: keys of a PDF dictionary (pdfjoin.py)
_.unraisablehook  # sys.unraisablehook: Python calls it with an exception it ignores (procs.py)

# Called by name: the deck's slide kinds (getattr "slide_" + kind), the figure kinds' drawing and
# deck builders ("module:function" in kinds/), click commands, overrides of library methods.
_.slide_title, _.slide_agenda, _.slide_core_points, _.slide_figure, _.slide_value_framework
_.slide_strategies, _.slide_strategy, _.slide_cases, _.slide_case, _.slide_quotes
_.slide_divider, _.slide_closing
grouped, stacked, process, ladder, comparison
doctor
_.fetch  # weasyprint.urls.URLFetcher.fetch
_.log_message, _.translate_path, _.daemon_threads  # http.server / socketserver
_.handle_starttag, _.handle_startendtag, _.handle_endtag  # html.parser.HTMLParser
file  # click.ClickException.show(file=None)
change  # watchfiles' watch_filter(change, path)
model_config  # pydantic
_._shorthand  # a pydantic model validator
_.cached_page_counter_values  # weasyprint.css.targets.CounterLookupItem: read by make_page
_._reported_error  # weasyprint.css.tokens.Pending: read when a var() value is found invalid
request_queue_size  # socketserver.TCPServer's listen backlog, read by server_activate

# Data read by tests or kept as a record: a chart's height, the reason a lint allowance gives.
height_mm, reason
# Used by tests: draw one figure now; take a kind registered by a test out again.
render_figure, unregister
# Imported for the side effect: loaded once before the workers fork (build/pipeline.py).
reportbuild
# pdfjoin writes these PDF dictionary entries through pikepdf attributes; pikepdf reads them.
Names, Nums
