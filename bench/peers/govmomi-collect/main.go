// govmomi-collect is the collector benchmark's peer: a Go program on Debian's govmomi that reads a
// vCenter's inventory the way a Go collector does (a container view on the root folder, the
// property collector over it), with the same property paths per type that vctp asks for
// (libs/vsphere/src/inventory.cpp, inventory_property_specs) and the same paging
// (RetrievePropertiesEx with maxObjects 1,000, then ContinueRetrievePropertiesEx until no token is
// left: what govmomi's Collector.Retrieve does from 0.26 on; Debian's 0.24 still calls the
// unpaged RetrieveProperties). The answers are decoded into govmomi's typed managed objects
// (mo.VirtualMachine, ...) and each VM resolved into a row: host, cluster, datacenter, folder
// path, resource pool path, as vctp's rows hold. It prints
//
//	vms=N vcpus=N memory_mb=N hosts=N pages=N
//
// for the benchmark to check against the simulator's dump.
//
// Usage: govmomi-collect [-insecure] [-max-objects N] [-rows] URL   (URL: https://user:pass@host:port/sdk)
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// propertySpecs are vctp's inventory_property_specs(), type by type.
var propertySpecs = []types.PropertySpec{
	{Type: "VirtualMachine", PathSet: []string{"name", "config.uuid", "config.instanceUuid", "config.template",
		"config.hardware.numCPU", "config.hardware.memoryMB", "summary.storage.committed",
		"summary.storage.uncommitted", "runtime.powerState", "runtime.host", "resourcePool", "parent",
		"config.guestFullName", "config.managedBy", "config.createDate"}},
	{Type: "HostSystem", PathSet: []string{"name", "parent", "summary.hardware.numCpuCores",
		"summary.hardware.cpuMhz", "summary.hardware.memorySize", "runtime.powerState",
		"runtime.connectionState", "runtime.inMaintenanceMode"}},
	{Type: "ClusterComputeResource", PathSet: []string{"name", "parent"}},
	{Type: "ComputeResource", PathSet: []string{"name", "parent"}},
	{Type: "ResourcePool", PathSet: []string{"name", "parent", "owner"}},
	{Type: "Folder", PathSet: []string{"name", "parent"}},
	{Type: "Datacenter", PathSet: []string{"name", "parent", "vmFolder"}},
}

// row is what vctp writes for a VM into an hourly table (the fields that need resolving).
type row struct {
	name, instanceUUID, host, cluster, datacenter, folder, pool, powerState, guestOS string
	vcpus, memoryMB                                                                  int32
	diskBytes                                                                        int64
	template                                                                         bool
}

// inventory is every object of the view, decoded.
type inventory struct {
	vms      []mo.VirtualMachine
	hosts    []mo.HostSystem
	entities map[string]mo.ManagedEntity // moref value -> name and parent (non-VM objects)
	types    map[string]string           // moref value -> type
	pages    int
}

func main() {
	insecure := flag.Bool("insecure", false, "skip certificate verification")
	maxObjects := flag.Int("max-objects", 1000, "objects per RetrievePropertiesEx page")
	printRows := flag.Bool("rows", false, "also print every row, tab-separated")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: govmomi-collect [-insecure] [-max-objects N] https://user:pass@host:port/sdk")
		os.Exit(2)
	}
	u, err := soap.ParseURL(flag.Arg(0))
	if err != nil {
		fail(err)
	}
	ctx := context.Background()
	c, err := govmomi.NewClient(ctx, u, *insecure)
	if err != nil {
		fail(err)
	}
	defer c.Logout(ctx)

	inv, err := retrieveInventory(ctx, c, int32(*maxObjects))
	if err != nil {
		fail(err)
	}
	rows := resolve(inv)
	var vcpus, memory int64
	for _, r := range rows {
		vcpus += int64(r.vcpus)
		memory += int64(r.memoryMB)
	}
	fmt.Printf("vms=%d vcpus=%d memory_mb=%d hosts=%d pages=%d\n", len(rows), vcpus, memory, len(inv.hosts), inv.pages)
	if *printRows {
		for _, r := range rows {
			fmt.Printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\n", r.name, r.host, r.cluster, r.datacenter,
				r.folder, r.pool, r.powerState, r.vcpus, r.memoryMB, r.diskBytes, r.guestOS)
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "govmomi-collect:", err)
	os.Exit(1)
}

// retrieveInventory creates a container view of every inventory type on the root folder, reads
// it page by page through the property collector and destroys the view.
func retrieveInventory(ctx context.Context, c *govmomi.Client, maxObjects int32) (*inventory, error) {
	kinds := make([]string, 0, len(propertySpecs))
	for _, spec := range propertySpecs {
		kinds = append(kinds, spec.Type)
	}
	v, err := view.NewManager(c.Client).CreateContainerView(ctx, c.ServiceContent.RootFolder, kinds, true)
	if err != nil {
		return nil, err
	}
	defer v.Destroy(ctx)

	req := types.RetrievePropertiesEx{
		This: c.PropertyCollector().Reference(),
		SpecSet: []types.PropertyFilterSpec{{
			ObjectSet: []types.ObjectSpec{{
				Obj:       v.Reference(),
				Skip:      types.NewBool(true),
				SelectSet: []types.BaseSelectionSpec{&types.TraversalSpec{Type: "ContainerView", Path: "view"}},
			}},
			PropSet: propertySpecs,
		}},
		Options: types.RetrieveOptions{MaxObjects: maxObjects},
	}
	inv := &inventory{entities: map[string]mo.ManagedEntity{}, types: map[string]string{}}
	res, err := methods.RetrievePropertiesEx(ctx, c, &req)
	if err != nil {
		return nil, err
	}
	result := res.Returnval
	for result != nil {
		inv.pages++
		if err := inv.add(result.Objects); err != nil {
			return nil, err
		}
		if result.Token == "" {
			break
		}
		next, err := methods.ContinueRetrievePropertiesEx(ctx, c,
			&types.ContinueRetrievePropertiesEx{This: req.This, Token: result.Token})
		if err != nil {
			return nil, err
		}
		result = &next.Returnval
	}
	return inv, nil
}

// add decodes one page of objects into govmomi's managed object types.
func (inv *inventory) add(objects []types.ObjectContent) error {
	for _, content := range objects {
		decoded, err := mo.ObjectContentToType(content)
		if err != nil {
			return err
		}
		inv.types[content.Obj.Value] = content.Obj.Type
		switch o := decoded.(type) {
		case mo.VirtualMachine:
			inv.vms = append(inv.vms, o)
		case mo.HostSystem:
			inv.hosts = append(inv.hosts, o)
			inv.entities[content.Obj.Value] = o.ManagedEntity
		case mo.ClusterComputeResource:
			inv.entities[content.Obj.Value] = o.ManagedEntity
		case mo.ComputeResource:
			inv.entities[content.Obj.Value] = o.ManagedEntity
		case mo.ResourcePool:
			inv.entities[content.Obj.Value] = o.ManagedEntity
		case mo.Folder:
			inv.entities[content.Obj.Value] = o.ManagedEntity
		case mo.Datacenter:
			inv.entities[content.Obj.Value] = o.ManagedEntity
		}
	}
	return nil
}

// resolve turns each VM into a row, naming its host, cluster, datacenter, folders and pools.
func resolve(inv *inventory) []row {
	rows := make([]row, 0, len(inv.vms))
	for _, vm := range inv.vms {
		r := row{name: vm.Name, powerState: string(vm.Runtime.PowerState)}
		if cfg := vm.Config; cfg != nil {
			r.instanceUUID = cfg.InstanceUuid
			r.vcpus = cfg.Hardware.NumCPU
			r.memoryMB = cfg.Hardware.MemoryMB
			r.template = cfg.Template
			r.guestOS = cfg.GuestFullName
		}
		if s := vm.Summary.Storage; s != nil {
			r.diskBytes = s.Committed + s.Uncommitted
		}
		if h := vm.Runtime.Host; h != nil {
			host := inv.entities[h.Value]
			r.host = host.Name
			if host.Parent != nil && inv.types[host.Parent.Value] == "ClusterComputeResource" {
				r.cluster = inv.entities[host.Parent.Value].Name
			}
		}
		r.folder, r.datacenter = inv.folderPath(vm.Parent)
		if vm.ResourcePool != nil {
			r.pool = inv.poolPath(*vm.ResourcePool)
		}
		rows = append(rows, r)
	}
	return rows
}

// folderPath is the folder names between the datacenter's VM folder and the VM, and the
// datacenter's name.
func (inv *inventory) folderPath(parent *types.ManagedObjectReference) (string, string) {
	var parts []string
	for depth := 0; parent != nil && depth < 64; depth++ {
		e := inv.entities[parent.Value]
		if inv.types[parent.Value] == "Datacenter" {
			if len(parts) > 0 {
				parts = parts[:len(parts)-1] // the datacenter's VM folder itself
			}
			for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
				parts[i], parts[j] = parts[j], parts[i]
			}
			return strings.Join(parts, "/"), e.Name
		}
		parts = append(parts, e.Name)
		parent = e.Parent
	}
	return "", ""
}

// poolPath is the pool names from the root pool down to pool.
func (inv *inventory) poolPath(pool types.ManagedObjectReference) string {
	var parts []string
	ref := &pool
	for depth := 0; ref != nil && depth < 64; depth++ {
		if t := inv.types[ref.Value]; t != "ResourcePool" && t != "VirtualApp" {
			break
		}
		e := inv.entities[ref.Value]
		parts = append([]string{e.Name}, parts...)
		ref = e.Parent
	}
	return strings.Join(parts, "/")
}
