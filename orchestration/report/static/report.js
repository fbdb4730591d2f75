// The CS report's index page: the segment and CSM filter, the charts, cards and sortable tables.
// Every number is precomputed per filter value (orchestration/report); this script only picks
// the chosen selection, re-draws with Plotly.react and writes the texts it was given.
// The filter and the tables' sort orders live in the address
// (#segment=SMB&csm=123&sort=worklist-red:6:desc), so a view can be bookmarked or sent.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var config = { displaylogo: false, responsive: true };
  var segmentSelect = document.getElementById("filter-segment");
  var csmSelect = document.getElementById("filter-csm");
  var sortState = {}; // table id -> {column, descending}
  var drawnKey = null; // the selection the cards and charts show

  function address() {
    var params = new URLSearchParams(window.location.hash.slice(1));
    var sorts = {};
    params.getAll("sort").forEach(function (value) {
      var parts = value.split(":"); // table:column:asc|desc
      sorts[parts[0]] = { column: Number(parts[1]), descending: parts[2] === "desc" };
    });
    return {
      segment: params.get("segment") || data.all,
      csm: params.get("csm") || data.all,
      sorts: sorts,
    };
  }

  function go(segment, csm, sorts) {
    var params = new URLSearchParams();
    if (segment !== data.all) params.set("segment", segment);
    if (csm !== data.all) params.set("csm", csm);
    Object.keys(sorts).forEach(function (table) {
      var sort = sorts[table];
      params.append("sort", table + ":" + sort.column + ":" + (sort.descending ? "desc" : "asc"));
    });
    window.location.hash = params.toString();
  }

  function keyOf(filter) {
    return filter.segment + "|" + filter.csm;
  }

  function figure(chartId, patch) {
    var base = data.charts[chartId];
    var changes = (patch && patch.data) || [];
    var traces = base.data.map(function (trace, i) {
      return Object.assign({}, trace, changes[i] || {});
    });
    var layout = Object.assign({ template: window.REPORT_TEMPLATE }, base.layout,
      (patch && patch.layout) || {});
    return { data: traces, layout: layout };
  }

  function drawCharts(selection) {
    Object.keys(data.charts).forEach(function (chartId) {
      var drawn = figure(chartId, selection.patches[chartId]);
      Plotly.react(chartId, drawn.data, drawn.layout, config);
    });
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function drawCards(cards) {
    var holder = document.getElementById("cards");
    holder.textContent = "";
    cards.forEach(function (card) {
      var box = element("div", "kpi");
      box.appendChild(element("span", "kpi-label", card.label));
      box.appendChild(element("b", "kpi-value", card.value));
      box.appendChild(element("span", "kpi-period", card.period));
      if (card.change) box.appendChild(element("span", "kpi-change", card.change));
      if (card.note) box.appendChild(element("span", "kpi-note", card.note));
      holder.appendChild(box);
    });
  }

  function drawCaptions(captions) {
    document.querySelectorAll("[data-caption]").forEach(function (node) {
      node.textContent = captions[node.getAttribute("data-caption")] || "";
    });
  }

  function compare(a, b) {
    if (a === b) return 0;
    if (a === null) return 1; // empty cells last, whichever the direction
    if (b === null) return -1;
    return a < b ? -1 : 1;
  }

  // a cell is its text, or [text, number] when it sorts by a number
  function shown(cell) {
    return Array.isArray(cell) ? cell[0] : cell;
  }

  function sortKey(cell) {
    if (Array.isArray(cell)) return cell[1];
    return cell === "-" ? null : cell.toLowerCase();
  }

  function sortedRows(table, rows) {
    var state = sortState[table.id];
    if (!state) return rows;
    var ordered = rows.slice().sort(function (a, b) {
      var x = sortKey(a.cells[state.column]), y = sortKey(b.cells[state.column]);
      if (x === null || y === null) return compare(x, y);
      return state.descending ? compare(y, x) : compare(x, y);
    });
    return ordered;
  }

  function drawTable(table, spec, rows) {
    table.textContent = "";
    var head = element("thead"), headRow = element("tr");
    spec.columns.forEach(function (column, index) {
      var cell = element("th", "", column.heading);
      var state = sortState[table.id];
      if (state && state.column === index) cell.className = state.descending ? "desc" : "asc";
      cell.addEventListener("click", function () {
        var now = address();
        var previous = now.sorts[table.id];
        var descending = previous && previous.column === index ? !previous.descending : false;
        now.sorts[table.id] = { column: index, descending: descending };
        go(now.segment, now.csm, now.sorts);
      });
      headRow.appendChild(cell);
    });
    head.appendChild(headRow);
    table.appendChild(head);
    var body = element("tbody");
    sortedRows(table, rows).forEach(function (row) {
      var line = element("tr");
      row.cells.forEach(function (cell, index) {
        var td = element("td");
        if (spec.columns[index].link && row.href) {
          var link = element("a", "", shown(cell));
          link.href = row.href;
          td.appendChild(link);
        } else {
          td.textContent = shown(cell);
        }
        if (spec.columns[index].heading === "band" && row.band) td.className = "band-" + row.band;
        line.appendChild(td);
      });
      body.appendChild(line);
    });
    table.appendChild(body);
  }

  function drawTables(filter) {
    document.querySelectorAll("table[data-table]").forEach(function (table) {
      var spec = data.tables[table.getAttribute("data-table")];
      var band = table.getAttribute("data-band");
      var rows = spec.rows.filter(function (row) {
        return (filter.segment === data.all || row.segment === filter.segment) &&
          (filter.csm === data.all || row.csm === filter.csm) &&
          (!band || row.band === band);
      });
      drawTable(table, spec, rows);
    });
  }

  function showAvailable(filter) {
    // a CSM without accounts in the chosen segment cannot be chosen with it
    Array.prototype.forEach.call(csmSelect.options, function (option) {
      option.disabled = !data.selections[keyOf({ segment: filter.segment, csm: option.value })];
    });
    segmentSelect.value = filter.segment;
    csmSelect.value = filter.csm;
  }

  function apply() {
    var now = address();
    var filter = { segment: now.segment, csm: now.csm };
    sortState = now.sorts;
    var selection = data.selections[keyOf(filter)];
    var note = document.getElementById("filter-note");
    if (!selection) {
      note.textContent = "No account has this segment and CSM: showing all accounts.";
      filter = { segment: data.all, csm: data.all };
      selection = data.selections[keyOf(filter)];
    } else {
      note.textContent = filter.segment === data.all && filter.csm === data.all
        ? "All accounts. Every card, chart and table follows the filter."
        : "Filtered: every card, chart and table shows these accounts only.";
    }
    showAvailable(filter);
    if (drawnKey !== keyOf(filter)) {
      drawCards(selection.cards);
      drawCaptions(selection.captions);
      drawCharts(selection);
      drawnKey = keyOf(filter);
    }
    drawTables(filter);
  }

  function choose() {
    go(segmentSelect.value, csmSelect.value, address().sorts);
  }

  segmentSelect.addEventListener("change", choose);
  csmSelect.addEventListener("change", choose);
  window.addEventListener("hashchange", apply);
  apply();
})();
