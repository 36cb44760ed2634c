"""A picture of a journey a person can open: standalone SVG, or HTML with a legend and a state table.

The rooms: ``layout`` places boxes and routes moves (``layout_journey``, ``GraphLayout``,
``Box``, ``EdgeShape``), with its steps in ``ranks`` (1-3) and ``placement`` (4); ``measure``
estimates text sizes; ``words`` says what each box and label reads; ``svg`` draws the picture
(``render_svg``, ``StateMark`` for a live one); ``page`` wraps it in a standalone HTML page
(``render_html``). Import each name from its module.

The layout is a small Sugiyama-style pipeline in pure Python, so nothing needs installing:

1. a depth-first walk from ``start`` in file order marks back edges (loops), which are reversed so
   the graph is acyclic and loops point backwards (upwards);
2. longest-path layering from the start; every edge then spans one or more layers, and gets a
   *label node* on the rank just below its upper end plus one *dummy node* per further rank, as
   dot does — so edge labels take part in the layout and never sit on a box or on each other;
3. barycenter sweeps (down and up) with a transpose pass reduce crossings, keeping the best order;
4. x coordinates come from repeated neighbour-averaging with a weak pull to the middle, each rank
   solved as an isotonic regression (pool adjacent violators) so boxes keep their order and never
   overlap; then each long edge's dummies are stood in one straight lane where there is room.

Edges run straight through the bands of ranks and bend only in the gaps between them, so a line
never crosses a box or a label. Loops back are dashed, timer moves dotted, self-loops drawn beside
their box.

Text widths are estimated from Helvetica/Arial metrics (no font files are read), with some slack.
"""
