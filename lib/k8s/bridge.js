'use strict';
// voyager-bridge: three static methods that jsii's Node kernel loads beside
// cdk8s (lib/k8s/bridge.py declares them to the kernel and packs this file).
//
// Why it exists: every value that crosses jsii is converted by the kernel one
// at a time against its declared type, about 200 us of Node per Kubernetes
// object, five times what cdk8s itself needs to create and render one. Here
// a whole shard's bodies cross as one JSON string, become ordinary ApiObjects
// in their charts (ApiObjectProps keeps every key in JavaScript; only the
// kernel's struct conversion drops them), and come back as JSON strings,
// rendered exactly as Chart.toJson renders them.
const { ApiObject, Chart } = require('cdk8s');
const { DependencyGraph } = require('cdk8s/lib/dependency');
const { Construct } = require('constructs');

class Bridge {
  /**
   * Create charts and constructs: `entries` is JSON, `[[scope, id, props],
   * ...]`, where scope is an index into `scopes` when >= 0, or ~i for the i-th
   * construct created by this same call (a pattern in a chart or in another
   * pattern), and props is a Chart's props, or null for a plain Construct.
   * Returns the new constructs, in order.
   */
  static addConstructs(scopes, entries) {
    const made = [];
    for (const [scope, id, props] of JSON.parse(entries)) {
      const parent = scope >= 0 ? scopes[scope] : made[~scope];
      made.push(props == null ? new Construct(parent, id) : new Chart(parent, id, props));
    }
    return made;
  }

  /**
   * Create ApiObjects: `objects` is JSON, `[[scope, id, body], ...]`, scope an
   * index into `scopes`. The body is the whole object, as `new
   * ApiObject(scope, id, body)` takes it in TypeScript.
   */
  static addObjects(scopes, objects) {
    for (const [scope, id, body] of JSON.parse(objects)) {
      try {
        new ApiObject(scopes[scope], id, body);
      } catch (e) {
        throw new Error(`${body.kind} '${body.metadata.name}' in chart ${scopes[scope].node.id}: ${e.message}`);
      }
    }
  }

  /**
   * Every object of each chart, as JSON text: `[[object, ...], ...]`, one
   * list per chart, each what `chart.toJson()` returns for it. That method
   * resolves dependencies and validates the whole app on every call
   * (quadratic in charts), so the caller renders one chart through it first,
   * once for the app; here each chart's objects are listed as it lists them
   * (`chartToKube` in cdk8s's lib/app.js: dependency order, each object in
   * its closest chart) and rendered with their own `toJson`.
   */
  static render(charts) {
    return JSON.stringify(charts.map(objectsOf));
  }
}

function objectsOf(chart) {
  return new DependencyGraph(chart.node).topology()
    .filter((x) => x instanceof ApiObject && Chart.of(x) === chart)
    .map((x) => x.toJson());
}

// The kernel finds Bridge among this module's exports by the name the
// manifest gives (lib/k8s/bridge.py) and converts arguments by the types it
// declares. No Bridge instance ever crosses to Python, so no runtime type
// information (what the jsii compiler weaves into classes) is needed.
module.exports = { Bridge };
