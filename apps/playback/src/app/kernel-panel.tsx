/** The Linux side: the ccp driver's view, the modules and their effective parameters
 *  (/sys/module/NAME/parameters), KVM's ASID partition and the VM types it advertises
 *  (docs/reference/linux-ccp.md §2.2, docs/reference/linux-kvm-amd.md §2.1, §2.4, §2.5). */
import type { Json } from '@sevsim/scenario/trace';
import { AsidBar } from './asid-bar.js';
import { changedClass, layerChanged, pathChanged } from './changes.js';
import { showValue, VM_TYPE_NAMES } from './format.js';
import { current, type FrameProps } from './frame.js';

function Params({
  params,
  base,
  changed,
}: {
  params: Record<string, Json>;
  base: string;
  changed: readonly string[];
}) {
  const names = Object.keys(params);
  if (names.length === 0) return <p className="dim">no parameters</p>;
  return (
    <table className="params">
      <tbody>
        {names.map((name) => (
          <tr key={name} className={changedClass(pathChanged(changed, `${base}.${name}`))}>
            <th scope="row">{name}</th>
            <td>{showValue(params[name])}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function moduleLine(m: { loaded: boolean; builtin: boolean }): string {
  return `${m.loaded ? 'loaded' : 'not loaded'}${m.builtin ? ' (built in)' : ''}`;
}

export function KernelPanel(props: FrameProps) {
  const { cur, prev } = current(props);
  const { modules, kvm } = cur.state;
  const ccpView = cur.layers.ccp;
  return (
    <section id="panel-kernel" className="panel" aria-labelledby="h-kernel">
      <h2 id="h-kernel">ccp and kvm-amd</h2>
      <h3>ccp</h3>
      <p className={changedClass(pathChanged(cur.changed, 'modules.ccp.loaded'))} data-testid="ccp-module">
        {moduleLine(modules.ccp)}
      </p>
      <Params params={modules.ccp.params} base="modules.ccp.params" changed={cur.changed} />
      {Object.keys(ccpView).length > 0 && (
        <table className="params driver-view">
          <caption>driver state</caption>
          <tbody>
            {Object.entries(ccpView).map(([k, v]) => (
              <tr
                key={k}
                className={changedClass(layerChanged(prev?.layers, cur.layers, (l) => l.ccp[k] ?? null))}
              >
                <th scope="row">{k}</th>
                <td>{showValue(v)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>kvm_amd</h3>
      <p
        className={changedClass(pathChanged(cur.changed, 'modules.kvm_amd.loaded'))}
        data-testid="kvm-module"
      >
        {moduleLine(modules.kvm_amd)}
      </p>
      <Params params={modules.kvm_amd.params} base="modules.kvm_amd.params" changed={cur.changed} />
      <h3 className={changedClass(pathChanged(cur.changed, 'kvm'))}>ASID space</h3>
      <AsidBar
        kvm={kvm}
        maxAsid={cur.layers.kvm.maxSevAsid}
        inUse={cur.layers.kvm.asidsInUse}
        reclaim={cur.layers.kvm.asidsReclaim}
      />
      <h3>VM types (KVM_CAP_VM_TYPES)</h3>
      <ul
        className={`vm-types ${changedClass(pathChanged(cur.changed, 'kvm.vmTypes'))}`}
        data-testid="vm-types"
      >
        {kvm.vmTypes.map((t) => (
          <li key={t}>
            {t} {VM_TYPE_NAMES[t] ?? ''}
          </li>
        ))}
      </ul>
    </section>
  );
}
