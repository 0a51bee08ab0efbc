// ddblint map: draws the map's JSON (docs/map.md) as an SVG graph. Regions hold the modules that
// run in them; an edge goes from a module to each table it touches. No library, no request:
// everything this page needs is in it. Text from the data is only ever set as textContent.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var UNKNOWN_REGION = "(unknown)";
  var ANY_FINDING = "(any finding)";
  var PAD = 10, ROW = 28, GAP = 8, HEAD = 26, LINE = 17, COLUMN_GAP = 200, TABLE_GAP = 16;

  var data = JSON.parse(document.getElementById("map-data").textContent);
  var svg = document.getElementById("map");
  var details = document.getElementById("details");
  var filters = {
    table: document.getElementById("filter-table"),
    region: document.getElementById("filter-region"),
    rule: document.getElementById("filter-rule")
  };
  var several = unique(data.tables.map(function (t) { return t.project; })).length > 1;
  var tables = data.tables.map(function (table, index) {
    var label = table.name === null ? "table not known" : table.name;
    return { id: "t" + index, data: table, label: several ? label + " [" + table.project + "]" : label };
  });
  var selected = null;

  function unique(values) {
    return values.filter(function (v, i) { return values.indexOf(v) === i; });
  }

  function byText(a, b) {
    return a < b ? -1 : a > b ? 1 : 0;
  }

  function svgNode(name, attributes, parent) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attributes || {}).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    if (parent) parent.appendChild(node);
    return node;
  }

  function htmlNode(name, text, parent, className) {
    var node = document.createElement(name);
    if (text !== undefined && text !== null) node.textContent = text;
    if (className) node.className = className;
    if (parent) parent.appendChild(node);
    return node;
  }

  function svgText(text, x, y, parent, className) {
    var node = svgNode("text", { x: x, y: y, "class": className || "" }, parent);
    node.textContent = text;
    return node;
  }

  function measure(text) {
    var node = svgText(text, 0, 0, svg);
    var width = node.getComputedTextLength();
    svg.removeChild(node);
    return width;
  }

  function regionOf(access) {
    return access.region === null ? UNKNOWN_REGION : access.region;
  }

  function writes(access) {
    return access.kind !== "read";
  }

  // -- filters --------------------------------------------------------------------------------
  function addOption(select, value, text) {
    var option = htmlNode("option", text, select);
    option.value = value;
  }

  function fillFilters() {
    var accesses = [].concat.apply([], data.tables.map(function (t) { return t.accesses; }));
    tables.forEach(function (t) { addOption(filters.table, t.id, t.label); });
    var regions = unique(accesses.map(regionOf)).sort(function (a, b) {
      return (a === UNKNOWN_REGION) - (b === UNKNOWN_REGION) || byText(a, b);
    });
    regions.forEach(function (r) { addOption(filters.region, r, r); });
    var codes = unique([].concat.apply([], accesses.map(function (a) { return a.codes; }))).sort(byText);
    if (codes.length) addOption(filters.rule, ANY_FINDING, ANY_FINDING);
    codes.forEach(function (code) { addOption(filters.rule, code, code); });
    Object.keys(filters).forEach(function (key) { filters[key].addEventListener("change", onFilter); });
  }

  function kept(access) {
    if (filters.region.value && regionOf(access) !== filters.region.value) return false;
    if (filters.rule.value === ANY_FINDING) return access.codes.length > 0;
    return !filters.rule.value || access.codes.indexOf(filters.rule.value) >= 0;
  }

  function shownTables() {
    var narrowed = filters.region.value || filters.rule.value;
    return tables.filter(function (t) {
      if (filters.table.value && t.id !== filters.table.value) return false;
      t.shown = t.data.accesses.filter(kept);
      return !narrowed || t.shown.length > 0;
    });
  }

  function onFilter() {
    selected = null;
    draw();
    var chosen = tables.filter(function (t) { return t.id === filters.table.value; })[0];
    if (chosen) showTable(chosen); else showOverview();
  }

  // -- layout and drawing ---------------------------------------------------------------------
  function modulesByRegion(shown) {
    var regions = {};
    shown.forEach(function (t) {
      t.shown.forEach(function (a) {
        var region = regionOf(a);
        regions[region] = regions[region] || {};
        regions[region][a.path] = true;
      });
    });
    return Object.keys(regions).sort(function (a, b) {
      return (a === UNKNOWN_REGION) - (b === UNKNOWN_REGION) || byText(a, b);
    }).map(function (region) {
      return { title: region === UNKNOWN_REGION ? "region unknown" : region, key: region,
               paths: Object.keys(regions[region]).sort(byText) };
    });
  }

  function tableLines(t) {
    var facts = [t.data.mode + (t.data.registered ? "" : " (default)")];
    if (t.data.shape !== "profile") facts.push(t.data.shape);
    if (t.data.home_region) facts.push("home " + t.data.home_region);
    return [{ text: t.label, kind: "name" }, { text: facts.join(", "), kind: "facts" }].concat(
      t.data.warnings.map(function (w) { return { text: "\u26a0 " + w, kind: "warning" }; }));
  }

  function layOutModules(regions) {
    var width = 160;
    regions.forEach(function (r) {
      width = Math.max(width, measure(r.title) + PAD);
      r.paths.forEach(function (p) { width = Math.max(width, measure(p) + 2 * PAD); });
    });
    var y = PAD, modules = {};
    regions.forEach(function (r) {
      r.box = { x: PAD, y: y, w: width + 2 * PAD };
      y += HEAD;
      r.paths.forEach(function (p) {
        modules[r.key + "\n" + p] = { x: 2 * PAD, y: y, w: width, h: ROW, path: p, region: r.key };
        y += ROW + GAP;
      });
      r.box.h = y - r.box.y + PAD - GAP;
      y += 2 * PAD;
    });
    return { modules: modules, width: width + 4 * PAD, height: y };
  }

  // The tables in the order of the mean height of the modules that touch them: fewer crossings.
  function inModuleOrder(shown, modules) {
    var rank = function (t) {
      var ys = t.shown.map(function (a) { return modules[regionOf(a) + "\n" + a.path].y; });
      return ys.length ? ys.reduce(function (s, y) { return s + y; }, 0) / ys.length : Infinity;
    };
    return shown.map(function (t, i) { return { table: t, rank: rank(t), index: i }; })
      .sort(function (a, b) { return a.rank - b.rank || a.index - b.index; })
      .map(function (entry) { return entry.table; });
  }

  function layOutTables(shown, x) {
    var width = 0, y = PAD;
    shown.forEach(function (t) {
      t.lines = tableLines(t);
      t.lines.forEach(function (line) {
        width = Math.max(width, measure(line.text) * (line.kind === "name" ? 1.15 : 1) + 2 * PAD);
      });
    });
    shown.forEach(function (t) {
      t.box = { x: x, y: y, w: width, h: t.lines.length * LINE + 2 * PAD - 4 };
      y += t.box.h + TABLE_GAP;
    });
    return { width: width, height: y };
  }

  function shift(boxes, dy) {
    boxes.forEach(function (box) { box.y += dy; });
  }

  function draw() {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    badges = [];
    var shown = shownTables();
    if (!shown.length) {
      svg.setAttribute("width", 420);
      svg.setAttribute("height", 40);
      svgText(data.tables.length ? "No call matches these filters." : "No DynamoDB table or call found.",
              PAD, 24, svg, "muted");
      return;
    }
    var regions = modulesByRegion(shown);
    var left = layOutModules(regions);
    shown = inModuleOrder(shown, left.modules);
    var tableX = left.width + COLUMN_GAP;
    var right = layOutTables(shown, tableX);
    var height = Math.max(left.height, right.height);
    var moduleBoxes = Object.keys(left.modules).map(function (k) { return left.modules[k]; });
    shift(regions.map(function (r) { return r.box; }).concat(moduleBoxes), (height - left.height) / 2);
    shift(shown.map(function (t) { return t.box; }), (height - right.height) / 2);
    svg.setAttribute("width", tableX + right.width + PAD);
    svg.setAttribute("height", height);
    regions.forEach(drawRegion);
    moduleBoxes.forEach(drawModule);
    shown.forEach(drawTable);
    edgesOf(shown, left.modules).forEach(drawEdge);
  }

  function drawRegion(r) {
    var group = svgNode("g", { "class": "region", "data-region": r.key }, svg);
    svgNode("rect", { x: r.box.x, y: r.box.y, width: r.box.w, height: r.box.h, rx: 6 }, group);
    svgText(r.title, r.box.x + PAD, r.box.y + 17, group, "title");
  }

  function drawModule(m) {
    var group = svgNode("g", { "class": "module", "data-module": m.path, "data-region": m.region }, svg);
    svgNode("rect", { x: m.x, y: m.y, width: m.w, height: m.h, rx: 4 }, group);
    svgText(m.path, m.x + PAD, m.y + 18, group);
  }

  function drawTable(t) {
    var hot = t.data.multi_region_writes || t.data.contested_off_home;
    var group = svgNode("g", { "class": "table" + (hot ? " hot" : ""), "data-table": t.label, tabindex: 0,
                               role: "button" }, svg);
    svgNode("rect", { x: t.box.x, y: t.box.y, width: t.box.w, height: t.box.h, rx: 10 }, group);
    t.lines.forEach(function (line, i) {
      svgText(line.text, t.box.x + PAD, t.box.y + PAD + 12 + i * LINE, group, line.kind);
    });
    activate(group, function () { showTable(t); });
  }

  function edgesOf(shown, modules) {
    var edges = {}, order = [];
    shown.forEach(function (t) {
      t.shown.forEach(function (a) {
        var key = regionOf(a) + "\n" + a.path + "\n" + t.id;
        if (!edges[key]) {
          edges[key] = { key: key, table: t, module: modules[regionOf(a) + "\n" + a.path], accesses: [] };
          order.push(key);
        }
        edges[key].accesses.push(a);
      });
    });
    return order.map(function (key) { return edges[key]; });
  }

  function edgeClass(edge) {
    var written = edge.accesses.filter(writes);
    if (written.some(function (a) { return a.unguarded; })) return "unguarded";
    if (written.some(function (a) { return a.off_home === true; })) return "off-home";
    return written.length ? "write" : "read";
  }

  function drawEdge(edge) {
    var m = edge.module, t = edge.table.box;
    var x1 = m.x + m.w, y1 = m.y + m.h / 2, x2 = t.x, y2 = t.y + t.h / 2, xm = (x1 + x2) / 2;
    var d = "M" + x1 + " " + y1 + " C" + xm + " " + y1 + " " + xm + " " + y2 + " " + x2 + " " + y2;
    var kind = edgeClass(edge);
    var group = svgNode("g", { "class": "edge " + kind, "data-table": edge.table.label, "data-module": m.path,
                               "data-region": m.region, tabindex: 0, role: "button" }, svg);
    var count = edge.accesses.length;
    var title = m.path + " \u2192 " + edge.table.label + ": " + count + " call" + (count === 1 ? "" : "s");
    svgNode("title", {}, group).textContent = title;
    group.setAttribute("aria-label", title);
    svgNode("path", { d: d, "class": "line" }, group);
    svgNode("path", { d: d, "class": "hit" }, group);
    var badge = placeBadge(function (at) { return pointAt(at, x1, y1, xm, x2, y2); });
    svgNode("circle", { cx: badge.x, cy: badge.y, r: 9 }, group);
    svgText(String(count), badge.x, badge.y + 4, group);
    activate(group, function () { select(group); showEdge(edge); });
  }

  // Where along its edge a badge goes: the middle, else the point nearest to it that keeps clear
  // of the badges already placed (edges cross in the middle).
  var BADGE_SPOTS = [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.12, 0.88];
  var badges = [];

  function placeBadge(point) {
    for (var i = 0; i < BADGE_SPOTS.length; i++) {
      var spot = point(BADGE_SPOTS[i]);
      var clear = badges.every(function (b) { return Math.abs(b.x - spot.x) > 20 || Math.abs(b.y - spot.y) > 20; });
      if (clear) { badges.push(spot); return spot; }
    }
    return point(0.5);
  }

  function pointAt(t, x1, y1, xm, x2, y2) {
    // the edge's cubic curve, from (x1, y1) through control points (xm, y1) and (xm, y2) to (x2, y2)
    var u = 1 - t, a = u * u * u, b = 3 * u * u * t, c = 3 * u * t * t, d = t * t * t;
    return { x: a * x1 + (b + c) * xm + d * x2, y: (a + b) * y1 + (c + d) * y2 };
  }

  function activate(node, action) {
    node.addEventListener("click", action);
    node.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); action(); }
    });
  }

  function select(group) {
    if (selected) selected.classList.remove("selected");
    selected = group;
    group.classList.add("selected");
  }

  // -- the side panel -------------------------------------------------------------------------
  function clear() {
    while (details.firstChild) details.removeChild(details.firstChild);
  }

  function tag(text, parent, kind) {
    htmlNode("span", text, parent, "tag" + (kind ? " " + kind : ""));
  }

  function guardTag(a, parent) {
    if (!writes(a)) return;
    if (a.guarded === null) tag("guard unknown", parent);
    else if (a.guarded) tag("guarded", parent, "ok");
    else if (a.unguarded) tag("unguarded", parent, "bad");
    else tag("no guard (append-only)", parent);
  }

  function listAccesses(accesses, parent, withTable) {
    var list = htmlNode("ul", null, parent, "calls");
    accesses.forEach(function (a) {
      var item = htmlNode("li", null, list, "call");
      htmlNode("code", a.path + ":" + a.line, item, "site");
      htmlNode("span", " " + (a.function || "<module>") + (withTable ? " \u00b7 " + regionOf(a) : ""), item, "muted");
      var tags = htmlNode("div", null, item);
      tag(a.operation + (a.kind === "transaction" ? " (transaction)" : ""), tags);
      guardTag(a, tags);
      if (writes(a) && a.off_home) tag("outside the home region", tags, "warn");
      a.codes.forEach(function (code) { tag(code, tags, "bad"); });
      if (a.through) {
        htmlNode("div", "via " + a.through.helper + " (" + a.through.path + ":" + a.through.line + ")", item, "muted");
      }
    });
  }

  function showEdge(edge) {
    clear();
    htmlNode("h2", edge.module.path + " \u2192 " + edge.table.label, details);
    htmlNode("p", "Runs in " + (edge.module.region === UNKNOWN_REGION ? "an unknown region" : edge.module.region) +
             ". Call sites:", details, "muted");
    listAccesses(edge.accesses, details);
  }

  function showTable(t) {
    clear();
    htmlNode("h2", t.label, details);
    htmlNode("p", tableLines(t)[1].text + (t.data.replicas.length ? "; replicas " + t.data.replicas.join(", ") : ""),
             details, "muted");
    t.data.warnings.forEach(function (w) { tag(w, htmlNode("div", null, details), "bad"); });
    if (t.data.sources.length) {
      htmlNode("h2", "Facts", details);
      var facts = htmlNode("ul", null, details);
      t.data.sources.forEach(function (s) {
        var item = htmlNode("li", s.fact + ": " + JSON.stringify(s.value) + " ", facts);
        htmlNode("code", s.source, item, "muted");
      });
    }
    htmlNode("h2", "Calls", details);
    listAccesses(t.shown || t.data.accesses, details, true);
  }

  function showOverview() {
    clear();
    var hot = tables.filter(function (t) { return t.data.warnings.length; });
    htmlNode("h2", hot.length ? "Tables that stand out" : "No table is written from more than one region", details);
    var list = htmlNode("ul", null, details);
    hot.forEach(function (t) {
      var item = htmlNode("li", null, list);
      htmlNode("strong", t.label, item);
      t.data.warnings.forEach(function (w) { htmlNode("div", w, item, "muted"); });
    });
    if (data.problems.length) {
      htmlNode("h2", "Not mapped", details);
      var problems = htmlNode("ul", null, details);
      data.problems.forEach(function (p) {
        htmlNode("code", p.path + ":" + p.line + ": " + p.message, htmlNode("li", null, problems));
      });
    }
    htmlNode("p", "Click an edge to list its call sites, or a table for its facts and calls.", details, "muted");
  }

  fillFilters();
  draw();
  showOverview();
})();
