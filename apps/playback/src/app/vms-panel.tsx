/** The scenario's VMs as KVM sees them (contract State `vms.ID`). */
import { changedClass, pathChanged } from './changes.js';
import { current, type FrameProps } from './frame.js';

export function VmsPanel(props: FrameProps) {
  const { cur } = current(props);
  const vms = Object.entries(cur.state.vms);
  return (
    <section id="panel-vms" className="panel" aria-labelledby="h-vms">
      <h2 id="h-vms">VMs</h2>
      {vms.length === 0 ? (
        <p className="dim">no VMs</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>id</th>
              <th>type</th>
              <th>state</th>
              <th>ASID</th>
            </tr>
          </thead>
          <tbody>
            {vms.map(([id, vm]) => (
              <tr key={id} className={changedClass(pathChanged(cur.changed, `vms.${id}`))}>
                <td>{id}</td>
                <td>{vm.type}</td>
                <td>{vm.state}</td>
                <td>{vm.asid ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
