package org.qfleet.states.catalog;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The qube properties that {@code qvm.prefs} may set, from the property tables of qubes-core-admin
 * 4.3 (QubesVM, its network mixin, AppVM, TemplateVM, StandaloneVM and DispVM), with their types.
 * The class of a qube is not known on the master, so the table is the union over the classes and
 * qubesd rejects a property the qube's class lacks.
 */
enum QubeProperty {
    AUDIOVM(Type.QUBE),
    AUTOSTART(Type.BOOLEAN),
    BACKUP_TIMESTAMP(Type.INTEGER),
    BOOTMODE(Type.TEXT),
    DEBUG(Type.BOOLEAN),
    DEFAULT_DISPVM(Type.QUBE),
    DEFAULT_USER(Type.TEXT),
    DEVICES_DENIED(Type.TEXT),
    GUIVM(Type.QUBE),
    INCLUDE_IN_BACKUPS(Type.BOOLEAN),
    INSTALLED_BY_RPM(Type.BOOLEAN),
    KERNEL(Type.TEXT),
    KERNELOPTS(Type.TEXT),
    KEYBOARD_LAYOUT(Type.TEXT),
    LABEL(Type.LABEL),
    MANAGEMENT_DISPVM(Type.QUBE),
    MAXMEM(Type.INTEGER),
    MEMORY(Type.INTEGER),
    QREXEC_TIMEOUT(Type.INTEGER),
    SHUTDOWN_TIMEOUT(Type.INTEGER),
    STUBDOM_MEM(Type.INTEGER),
    VCPUS(Type.INTEGER),
    VIRT_MODE(Type.VIRT_MODE),
    MAC(Type.TEXT),
    IP(Type.TEXT),
    IP6(Type.TEXT),
    NETVM(Type.QUBE),
    PROVIDES_NETWORK(Type.BOOLEAN),
    TEMPLATE(Type.QUBE),
    TEMPLATE_FOR_DISPVMS(Type.BOOLEAN),
    APPVM_DEFAULT_BOOTMODE(Type.TEXT),
    AUTO_CLEANUP(Type.BOOLEAN);

    enum Type { BOOLEAN, INTEGER, TEXT, QUBE, LABEL, VIRT_MODE }

    /** Label names in qubesd's order, index 1 to 8. */
    static final List<String> LABELS =
            List.of("red", "orange", "yellow", "green", "gray", "blue", "purple", "black");

    static final List<String> VIRT_MODES = List.of("hvm", "pv", "pvh");

    /** Older spellings that Qubes' prefs state accepts for a property. */
    static final Map<String, QubeProperty> ALIASES = Map.of(
            "last_backup", BACKUP_TIMESTAMP,
            "dispvm_allowed", TEMPLATE_FOR_DISPVMS);

    /** Properties that exist but cannot be set through qvm-prefs. */
    static final Set<String> READ_ONLY = Set.of(
            "name", "qid", "uuid", "klass", "icon", "xid", "updateable", "start_time",
            "stubdom_xid", "stubdom_uuid", "dispid", "is_preload", "visible_ip", "visible_ip6",
            "visible_gateway", "visible_gateway6", "visible_netmask", "gateway", "gateway6", "dns");

    /** Keys of Qubes' prefs state that qvm.prefs compiles to PCI assignments, not to qvm-prefs. */
    static final Set<String> PCI_KEYS = Set.of("pcidevs", "pci_strictreset");

    private static final Map<String, QubeProperty> BY_NAME = new LinkedHashMap<>();

    static {
        for (QubeProperty property : values()) {
            BY_NAME.put(property.propertyName(), property);
        }
    }

    final Type type;

    QubeProperty(Type type) {
        this.type = type;
    }

    /** Returns the property's name as qvm-prefs prints it, with underscores. */
    String propertyName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Looks up a property by either spelling or alias; null when unknown. */
    static QubeProperty find(String key) {
        String normalised = key.replace('-', '_');
        QubeProperty property = BY_NAME.get(normalised);
        return property != null ? property : ALIASES.get(normalised);
    }

    /** Returns the names of the properties qvm.prefs can set, sorted. */
    static Set<String> names() {
        return new TreeSet<>(BY_NAME.keySet());
    }

    static String validNames() {
        TreeSet<String> names = new TreeSet<>(BY_NAME.keySet());
        names.addAll(PCI_KEYS);
        return String.join(", ", names);
    }
}
