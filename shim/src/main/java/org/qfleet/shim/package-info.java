/** The shim: the Python program that runs qfleet's requests on a Qubes host, and its framing. */
package org.qfleet.shim;
