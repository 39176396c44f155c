/**
 * Real guests for the Linux collector: `modinfo ena`, `ethtool -i <if>` and `/etc/os-release`
 * copied from public sources, each fixture naming where every piece comes from.
 *
 * Rules followed here:
 * - Pasted text is kept exactly as quoted (whitespace included). A modinfo paste may be trimmed to
 *   its first lines; each fixture says where it was cut.
 * - `uname -r` is never pasted next to these outputs; it is taken from the `/lib/modules/<release>/`
 *   directory in the same paste's `filename:` line (modinfo looks the module up under
 *   `/lib/modules/$(uname -r)`), and from `vermagic:` where the paste shows it.
 * - The sysfs state nobody pastes (`interfaces`, `sysModuleEna`, `defaultRoute`) is derived from the
 *   pasted outputs: the interface named in the ethtool paste, bound to the driver ethtool names;
 *   `/sys/module/ena/version` holds the modinfo `version:` line (the kernel creates that file from
 *   MODULE_VERSION, which is what modinfo prints); the default route leaves by that interface.
 * - A fixture combines pieces from different sources only for the same release (the os-release of
 *   the release the kernel belongs to); the pieces are named one by one.
 *
 * Not found (no real `modinfo ena` / `ethtool -i` quote with a consistent os-release, searched in
 * amzn/amzn-drivers issues, AWS docs, distribution docs and public repositories):
 * - Amazon Linux 2023: a real `modinfo ena` on 6.1.27-43.48.amzn2023.x86_64 (version 2.8.3g, in
 *   drivers/amazon/net/ena) and an `ethtool -i` (vif on T2, ena 2.8.3g on T3) exist in a stored public
 *   notes file whose repository could not be identified, so they are not used. They, and
 *   awslabs/amazon-eks-ami pull request #2171 ("Version info file generated for AL2023 and AL2 ...
 *   \"ena\": \"2.13.2g\""), say AL2023 ships the amzn-drivers build (g suffix), not the upstream in-tree
 *   driver: see the report.
 * - Ubuntu 20.04 / 22.04 (-aws kernel): flatcar/Flatcar issue #1197 quotes a `modinfo ena` on
 *   5.19.0-1025-aws without a version line, but no `ethtool -i` for that host and no os-release; a
 *   5.19 -aws kernel may be 22.04's HWE kernel or 22.10's own, so the release cannot be chosen
 *   without guessing. The Ubuntu 20.04 os-release of aws/aws-nitro-enclaves-cli
 *   docs/ubuntu_20.04_how_to_install_nitro_cli_from_github_sources.md has no ENA output with it.
 * - RHEL 9: amzn/amzn-drivers issue #311 quotes a `modinfo ena` on 5.14.0-427.24.1.el9_4 (no
 *   version line), but no `ethtool -i`, and no RHEL 9.4 os-release with a named source was found.
 * - SLES 15, Rocky Linux, AlmaLinux, Oracle Linux, CentOS Stream, Debian 12, Fedora: os-release
 *   files exist (python-distro/distro, ansible/ansible test fixtures) but no ENA output on those
 *   releases was found to go with them. (amzn/amzn-drivers issue #117 says Debian 10's in-kernel
 *   driver reported "2.0.2K", in prose, not a paste.)
 * - Bottlerocket: no fixture, no output of modinfo/ethtool/os-release run from its SSM agent was
 *   found. What is known: the agent runs in the control container, built
 *   `FROM public.ecr.aws/amazonlinux/amazonlinux:2` and installing only `jq screen shadow-utils` and
 *   the agent (bottlerocket-os/bottlerocket-control-container, Dockerfile). A Run Command script
 *   therefore reads Amazon Linux 2's /etc/os-release (ID="amzn", VERSION_ID="2") while `uname -r` is
 *   the Bottlerocket host kernel; kmod (modinfo) and ethtool are not installed by that Dockerfile
 *   (whether the base image carries them is not established here). The same Dockerfile links
 *   /var/lib/amazon/ssm to /.bottlerocket/host-containers/current/ssm, so the inventory file lands
 *   in the container's persistent storage, which the agent reads.
 */
import type { FakeGuest } from './collector-harness.js';

/** What the collector must write for a real guest, and how ena-driver-current must judge it. */
export interface RealGuestExpectation {
  readonly content: {
    readonly DriverPresent: 'true' | 'false';
    readonly DriverLoaded: 'true' | 'false' | 'unknown';
    readonly InterfaceDriver: string;
    readonly DriverVersion: string;
    readonly DriverVersionSource: 'modinfo' | 'sysfs' | 'ethtool' | 'none';
    readonly DriverBuild: 'out-of-tree' | 'in-tree' | 'unknown';
    readonly KernelRelease: string;
    readonly OsId: string;
    readonly OsIdLike: string;
    readonly OsVersion: string;
  };
  readonly compliance: 'COMPLIANT' | 'NON_COMPLIANT' | 'NOT_APPLICABLE';
  readonly firstReason: string;
  /** Why, from rules/driver-policy.ts and the published facts. */
  readonly because: string;
}

export interface RealGuest {
  readonly name: string;
  /** Where each piece of the guest was copied from (URL, or GitHub repo + path / issue). */
  readonly sources: readonly string[];
  readonly guest: FakeGuest;
  readonly expected: RealGuestExpectation;
}

// ---------------------------------------------------------------------------------------------
// os-release files
// ---------------------------------------------------------------------------------------------

/**
 * Amazon Linux 2. Source: ansible/ansible,
 * test/units/module_utils/facts/system/distribution/fixtures/amazon_linux_2.json, key
 * "/etc/os-release" (the JSON string, unescaped).
 */
const AMAZON_LINUX_2_OS_RELEASE =
  'NAME="Amazon Linux"\nVERSION="2"\nID="amzn"\nID_LIKE="centos rhel fedora"\nVERSION_ID="2"\nPRETTY_NAME="Amazon Linux 2"\nANSI_COLOR="0;33"\nCPE_NAME="cpe:2.3:o:amazon:amazon_linux:2"\nHOME_URL="https://amazonlinux.com/"\n';

/**
 * RHEL 8.4, as `cat /etc/os-release` printed it on an RHEL 8.4 EC2 instance. Source:
 * aws/aws-nitro-enclaves-cli, docs/rhel_8.4_how_to_install_nitro_cli_from_github_sources.md.
 */
const RHEL_8_4_OS_RELEASE = `NAME="Red Hat Enterprise Linux"
VERSION="8.4 (Ootpa)"
ID="rhel"
ID_LIKE="fedora"
VERSION_ID="8.4"
PLATFORM_ID="platform:el8"
PRETTY_NAME="Red Hat Enterprise Linux 8.4 (Ootpa)"
ANSI_COLOR="0;31"
CPE_NAME="cpe:/o:redhat:enterprise_linux:8.4:GA"
HOME_URL="https://www.redhat.com/"
DOCUMENTATION_URL="https://access.redhat.com/documentation/red_hat_enterprise_linux/8/"
BUG_REPORT_URL="https://bugzilla.redhat.com/"

REDHAT_BUGZILLA_PRODUCT="Red Hat Enterprise Linux 8"
REDHAT_BUGZILLA_PRODUCT_VERSION=8.4
REDHAT_SUPPORT_PRODUCT="Red Hat Enterprise Linux"
REDHAT_SUPPORT_PRODUCT_VERSION="8.4"
`;

/**
 * Ubuntu 16.04 (16.04.1). Source: python-distro/distro, tests/resources/distros/ubuntu16/etc/os-release
 * (a copy of the real file).
 */
const UBUNTU_16_04_OS_RELEASE = `NAME="Ubuntu"
VERSION="16.04.1 LTS (Xenial Xerus)"
ID=ubuntu
ID_LIKE=debian
PRETTY_NAME="Ubuntu 16.04.1 LTS"
VERSION_ID="16.04"
HOME_URL="http://www.ubuntu.com/"
SUPPORT_URL="http://help.ubuntu.com/"
BUG_REPORT_URL="http://bugs.launchpad.net/ubuntu/"
UBUNTU_CODENAME=xenial
`;

// ---------------------------------------------------------------------------------------------
// Amazon Linux 2, amzn-drivers 1.5.0g (EC2 User Guide example)
// ---------------------------------------------------------------------------------------------

/**
 * Source: awsdocs/amazon-ec2-user-guide, doc_source/enhanced-networking-ena.md, "Testing whether
 * enhanced networking is enabled". Trimmed where the page itself cuts it ("..." after `name:`).
 */
const AL2_1_5_0G_MODINFO = `filename:       /lib/modules/4.14.33-59.37.amzn2.x86_64/kernel/drivers/amazon/net/ena/ena.ko
version:        1.5.0g
license:        GPL
description:    Elastic Network Adapter (ENA)
author:         Amazon.com, Inc. or its affiliates
srcversion:     692C7C68B8A9001CB3F31D0
alias:          pci:v00001D0Fd0000EC21sv*sd*bc*sc*i*
alias:          pci:v00001D0Fd0000EC20sv*sd*bc*sc*i*
alias:          pci:v00001D0Fd00001EC2sv*sd*bc*sc*i*
alias:          pci:v00001D0Fd00000EC2sv*sd*bc*sc*i*
depends:
retpoline:      Y
intree:         Y
name:           ena`;

/** Same page, `ethtool -i eth0` "In this example, the ena module is loaded". */
const AL2_1_5_0G_ETHTOOL = `driver: ena
version: 1.5.0g
firmware-version:
expansion-rom-version:
bus-info: 0000:00:05.0
supports-statistics: yes
supports-test: no
supports-eeprom-access: no
supports-register-dump: no
supports-priv-flags: no`;

// ---------------------------------------------------------------------------------------------
// Amazon Linux 2, amzn-drivers 2.2.10g (a Session Manager shell, sh-4.2$)
// ---------------------------------------------------------------------------------------------

/** Source: sigitp-git/ec2-networking-os-optim, ena.sh (the `sh-4.2$ modinfo ena` block), whole. */
const AL2_2_2_10G_MODINFO = `filename:       /lib/modules/4.14.193-149.317.amzn2.x86_64/kernel/drivers/amazon/net/ena/ena.ko
version:        2.2.10g
license:        GPL
description:    Elastic Network Adapter (ENA)
author:         Amazon.com, Inc. or its affiliates
srcversion:     D73EB01C3E7F61C6125D9FC
alias:          pci:v00001D0Fd0000EC21sv*sd*bc*sc*i*
alias:          pci:v00001D0Fd0000EC20sv*sd*bc*sc*i*
alias:          pci:v00001D0Fd00001EC2sv*sd*bc*sc*i*
alias:          pci:v00001D0Fd00000EC2sv*sd*bc*sc*i*
alias:          pci:v00001D0Fd00000051sv*sd*bc*sc*i*
depends:
retpoline:      Y
intree:         Y
name:           ena
vermagic:       4.14.193-149.317.amzn2.x86_64 SMP mod_unload modversions
sig_id:         PKCS#7
signer:
sig_key:
parm:           debug:Debug level (0=none,...,16=all) (int)
parm:           rx_queue_size:Rx queue size. The size should be a power of 2. Max value is 8K
 (int)
parm:           force_large_llq_header:Increases maximum supported header size in LLQ mode to 224 bytes, while reducing the maximum TX queue size by half.
 (int)
parm:           num_io_queues:Sets number of RX/TX queues to allocate to device. The maximum value depends on the device and number of online CPUs.
 (int)`;

/** Same file, the `sh-4.2$ ethtool -i eth0` block. */
const AL2_2_2_10G_ETHTOOL = `driver: ena
version: 2.2.10g
firmware-version:
expansion-rom-version:
bus-info: 0000:00:05.0
supports-statistics: yes
supports-test: no
supports-eeprom-access: no
supports-register-dump: no
supports-priv-flags: no`;

// ---------------------------------------------------------------------------------------------
// RHEL 8.4, in-kernel driver 2.1.0K (ethtool reports the kernel release)
// ---------------------------------------------------------------------------------------------

/**
 * Source: amzn/amzn-drivers issue #184 ("RHEL8 support using CloudWatch agent ethtool metrics"),
 * first post, `modinfo ena`. Trimmed after the fourth `alias:` line (the last complete line of the
 * quoted part that could be read).
 */
const RHEL_8_4_MODINFO = `filename:       /lib/modules/4.18.0-305.12.1.el8_4.x86_64/kernel/drivers/net/ethernet/amazon/ena/ena.ko.xz
version:        2.1.0K
license:        GPL
description:    Elastic Network Adapter (ENA)
author:         Amazon.com, Inc. or its affiliates
rhelversion:    8.4
srcversion:     442F0C70CBBBBA7715FB41C
alias:          pci:v00001D0Fd0000EC21sv*sd*bc*sc*i*
alias:          pci:v00001D0Fd0000EC20sv*sd*bc*sc*i*
alias:          pci:v00001D0Fd00001EC2sv*sd*bc*sc*i*
alias:          pci:v00001D0Fd00000EC2sv*sd*bc*sc*i*`;

/**
 * Same post: `ethtool -i eth0 | grep version`, the only ethtool lines it quotes (so no `driver:`
 * line; the sysfs link says ena). Note the in-kernel RHEL driver: modinfo says 2.1.0K while ethtool
 * reports the kernel release.
 */
const RHEL_8_4_ETHTOOL_GREP_VERSION = `version: 4.18.0-305.12.1.el8_4.x86_64
firmware-version:
expansion-rom-version:
`;

// ---------------------------------------------------------------------------------------------
// Ubuntu 16.04, in-kernel driver 1.5.0K on the 4.4 -aws kernel
// ---------------------------------------------------------------------------------------------

/** Source: pabloviquez/til, aws/ami_enabling_ena.md ("Verify ENA is enabled"), whole. */
const UBUNTU_16_04_MODINFO = `filename:       /lib/modules/4.4.0-1067-aws/kernel/drivers/net/ethernet/amazon/ena/ena.ko
version:        1.5.0K
license:        GPL
description:    Elastic Network Adapter (ENA)
author:         Amazon.com, Inc. or its affiliates
srcversion:     6E5FBB020357E652D938AD9
alias:          pci:v00001D0Fd0000EC21sv*sd*bc*sc*i*
alias:          pci:v00001D0Fd0000EC20sv*sd*bc*sc*i*
alias:          pci:v00001D0Fd00001EC2sv*sd*bc*sc*i*
alias:          pci:v00001D0Fd00000EC2sv*sd*bc*sc*i*
depends:
retpoline:      Y
intree:         Y
vermagic:       4.4.0-1067-aws SMP mod_unload modversions retpoline
parm:           debug:Debug level (0=none,...,16=all) (int)`;

// ---------------------------------------------------------------------------------------------
// The guests
// ---------------------------------------------------------------------------------------------

export const REAL_GUESTS: readonly RealGuest[] = [
  {
    name: 'Amazon Linux 2, 4.14.33 kernel, amzn-drivers 1.5.0g (EC2 User Guide example)',
    sources: [
      'modinfo ena, ethtool -i eth0: awsdocs/amazon-ec2-user-guide doc_source/enhanced-networking-ena.md',
      'uname -r: the /lib/modules/<release>/ of that modinfo filename line',
      '/etc/os-release: ansible/ansible test/units/module_utils/facts/system/distribution/fixtures/amazon_linux_2.json',
    ],
    guest: {
      osRelease: AMAZON_LINUX_2_OS_RELEASE,
      kernelRelease: '4.14.33-59.37.amzn2.x86_64',
      modinfo: AL2_1_5_0G_MODINFO,
      ethtool: { eth0: AL2_1_5_0G_ETHTOOL },
      interfaces: { eth0: 'ena' },
      sysModuleEna: { version: '1.5.0g' },
      defaultRoute: 'eth0',
    },
    expected: {
      content: {
        DriverPresent: 'true',
        DriverLoaded: 'true',
        InterfaceDriver: 'ena',
        DriverVersion: '1.5.0g',
        DriverVersionSource: 'modinfo',
        DriverBuild: 'out-of-tree',
        KernelRelease: '4.14.33-59.37.amzn2.x86_64',
        OsId: 'amzn',
        OsIdLike: 'centos rhel fedora',
        OsVersion: '2',
      },
      compliance: 'NON_COMPLIANT',
      firstReason: 'DRIVER_OUTDATED',
      because: 'an amzn-drivers build (g suffix) is judged by its version: 1.5.0 < linuxMinimumDriverVersion 2.2.10',
    },
  },
  {
    name: 'Amazon Linux 2, 4.14.193 kernel, amzn-drivers 2.2.10g (Session Manager shell)',
    sources: [
      'modinfo ena, ethtool -i eth0: sigitp-git/ec2-networking-os-optim ena.sh',
      'uname -r: the modinfo filename and vermagic lines of that paste',
      '/etc/os-release: ansible/ansible test/units/module_utils/facts/system/distribution/fixtures/amazon_linux_2.json',
    ],
    guest: {
      osRelease: AMAZON_LINUX_2_OS_RELEASE,
      kernelRelease: '4.14.193-149.317.amzn2.x86_64',
      modinfo: AL2_2_2_10G_MODINFO,
      ethtool: { eth0: AL2_2_2_10G_ETHTOOL },
      interfaces: { eth0: 'ena' },
      sysModuleEna: { version: '2.2.10g' },
      defaultRoute: 'eth0',
    },
    expected: {
      content: {
        DriverPresent: 'true',
        DriverLoaded: 'true',
        InterfaceDriver: 'ena',
        DriverVersion: '2.2.10g',
        DriverVersionSource: 'modinfo',
        DriverBuild: 'out-of-tree',
        KernelRelease: '4.14.193-149.317.amzn2.x86_64',
        OsId: 'amzn',
        OsIdLike: 'centos rhel fedora',
        OsVersion: '2',
      },
      compliance: 'COMPLIANT',
      firstReason: 'DRIVER_CURRENT',
      because: '2.2.10g is exactly linuxMinimumDriverVersion 2.2.10 (the suffix is ignored)',
    },
  },
  {
    name: 'RHEL 8.4, 4.18.0-305.12.1.el8_4 kernel, in-kernel driver 2.1.0K',
    sources: [
      'modinfo ena, ethtool -i eth0 | grep version: amzn/amzn-drivers issue #184',
      'uname -r: the /lib/modules/<release>/ of that modinfo filename line (and the ethtool version line)',
      '/etc/os-release (RHEL 8.4, the release of the el8_4 kernel): aws/aws-nitro-enclaves-cli docs/rhel_8.4_how_to_install_nitro_cli_from_github_sources.md',
    ],
    guest: {
      osRelease: RHEL_8_4_OS_RELEASE,
      kernelRelease: '4.18.0-305.12.1.el8_4.x86_64',
      modinfo: RHEL_8_4_MODINFO,
      ethtool: { eth0: RHEL_8_4_ETHTOOL_GREP_VERSION },
      interfaces: { eth0: 'ena' },
      sysModuleEna: { version: '2.1.0K' },
      defaultRoute: 'eth0',
    },
    expected: {
      content: {
        DriverPresent: 'true',
        DriverLoaded: 'true',
        InterfaceDriver: 'ena',
        DriverVersion: '2.1.0K',
        DriverVersionSource: 'modinfo',
        DriverBuild: 'in-tree',
        KernelRelease: '4.18.0-305.12.1.el8_4.x86_64',
        OsId: 'rhel',
        OsIdLike: 'fedora',
        OsVersion: '8.4',
      },
      compliance: 'COMPLIANT',
      firstReason: 'KERNEL_CURRENT',
      because: 'a K driver is judged by its kernel: RHEL 8.4 uses the rhel 8.3 row, 4.18.0-305.12.1 >= 4.18.0-240.1.1.el8_3',
    },
  },
  {
    name: 'Ubuntu 16.04, 4.4.0-1067-aws kernel, in-kernel driver 1.5.0K',
    sources: [
      'modinfo ena: pabloviquez/til aws/ami_enabling_ena.md',
      'uname -r: the modinfo filename and vermagic lines of that paste',
      '/etc/os-release (Ubuntu 16.04, the release of the 4.4.0 -aws kernels): python-distro/distro tests/resources/distros/ubuntu16/etc/os-release',
      'ethtool -i: not quoted by the source, so the fake guest has no ethtool; interface ens3 (the name Ubuntu 16.04 gives the ENA device, amzn/amzn-drivers issue #61 dmesg "ens3: renamed from eth0") bound to ena',
    ],
    guest: {
      osRelease: UBUNTU_16_04_OS_RELEASE,
      kernelRelease: '4.4.0-1067-aws',
      modinfo: UBUNTU_16_04_MODINFO,
      ethtool: null,
      interfaces: { ens3: 'ena' },
      sysModuleEna: { version: '1.5.0K' },
      defaultRoute: 'ens3',
    },
    expected: {
      content: {
        DriverPresent: 'true',
        DriverLoaded: 'true',
        InterfaceDriver: 'ena',
        DriverVersion: '1.5.0K',
        DriverVersionSource: 'modinfo',
        DriverBuild: 'in-tree',
        KernelRelease: '4.4.0-1067-aws',
        OsId: 'ubuntu',
        OsIdLike: 'debian',
        OsVersion: '16.04',
      },
      compliance: 'NOT_APPLICABLE',
      firstReason: 'NO_PUBLISHED_MINIMUM',
      because: 'a K driver is judged by its kernel; the only Ubuntu row starts at 20.04, so 16.04 has no published minimum',
    },
  },
];
