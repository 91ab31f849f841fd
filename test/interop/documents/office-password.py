"""Writes Office files with and without a password through LibreOffice's own filters (UNO).

usage: python3 office-password.py OUTDIR PROFILEDIR PASSWORD
Makes secret.doc, secret.xls, secret.ppt (stored with PASSWORD) and plain.doc, plain.xls,
plain.ppt from one-line documents. LibreOffice 7.4 stores .doc and .xls encrypted (RC4) and
writes .ppt without encryption whatever the password.
"""
import os
import subprocess
import sys
import time

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException


def prop(name, value):
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


outdir, profile, password = sys.argv[1], sys.argv[2], sys.argv[3]
pipe = 'faxgate-docs-%d' % os.getpid()
soffice = subprocess.Popen(
    ['soffice', '-env:UserInstallation=' + uno.systemPathToFileUrl(profile), '--headless', '--norestore', '--nolockcheck',
     '--accept=pipe,name=%s;urp;' % pipe],
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, 'HOME': profile})
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext('com.sun.star.bridge.UnoUrlResolver', local)
    remote = None
    for _ in range(600):
        try:
            remote = resolver.resolve('uno:pipe,name=%s;urp;StarOffice.ComponentContext' % pipe)
            break
        except NoConnectException:
            time.sleep(0.1)
    if remote is None:
        sys.exit('LibreOffice did not answer on its pipe')
    desktop = remote.ServiceManager.createInstanceWithContext('com.sun.star.frame.Desktop', remote)
    for factory, ext, filter_name in [('swriter', 'doc', 'MS Word 97'), ('scalc', 'xls', 'MS Excel 97'), ('simpress', 'ppt', 'MS PowerPoint 97')]:
        doc = desktop.loadComponentFromURL('private:factory/' + factory, '_blank', 0, (prop('Hidden', True),))
        if factory == 'swriter':
            doc.getText().setString('Secret fax text')
        elif factory == 'scalc':
            doc.getSheets().getByIndex(0).getCellByPosition(0, 0).setString('Secret fax cell')
        doc.storeToURL(uno.systemPathToFileUrl(os.path.join(outdir, 'secret.' + ext)), (prop('FilterName', filter_name), prop('Password', password)))
        doc.storeToURL(uno.systemPathToFileUrl(os.path.join(outdir, 'plain.' + ext)), (prop('FilterName', filter_name),))
        doc.close(True)
    try:
        desktop.terminate()
    except Exception:
        pass  # the bridge drops as soffice exits
finally:
    try:
        soffice.wait(timeout=30)
    except subprocess.TimeoutExpired:
        soffice.kill()
