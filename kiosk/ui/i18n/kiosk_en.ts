<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="zh_CN">
<context>
    <name>kiosk</name>
    <message>
        <source>政务服务自助终端</source>
        <translation>Government Self-Service Terminal</translation>
    </message>
    <message>
        <source>English</source>
        <translation>中文</translation>
    </message>
    <message>
        <source>呼叫工作人员</source>
        <translation>Call staff</translation>
    </message>
    <message>
        <source>已通知工作人员，请稍候。服务电话：{phone}</source>
        <translation>Staff have been called. Please wait. Help line: {phone}</translation>
    </message>
    <message>
        <source>正在联系工作人员，请稍候…</source>
        <translation>Contacting staff, please wait…</translation>
    </message>
    <message>
        <source>工作人员已收到您的呼叫，正在赶来，请稍候。</source>
        <translation>A member of staff has seen your call and is on the way. Please wait.</translation>
    </message>
    <message>
        <source>暂时联系不上工作人员（网络不通），呼叫没有发出。请拨打服务电话 {phone}，或到服务台求助。</source>
        <translation>Staff could not be reached (no network), so no call was made. Please ring the help line {phone} or ask at the service desk.</translation>
    </message>
    <message>
        <source>本机暂停服务</source>
        <translation>This terminal is out of service</translation>
    </message>
    <message>
        <source>请到其他自助终端或服务台办理。服务电话：{phone}</source>
        <translation>Please use another terminal or the service desk. Help line: {phone}</translation>
    </message>
    <message>
        <source>正在更新系统</source>
        <translation>Installing an update</translation>
    </message>
    <message>
        <source>本机正在安装新版本，约需几分钟，完成后自动恢复服务。
急需办理请到其他自助终端或服务台。服务电话：{phone}</source>
        <translation>This terminal is installing a new version; it takes a few minutes and then serves again by itself.
If you cannot wait, please use another terminal or the service desk. Help line: {phone}</translation>
    </message>
    <message>
        <source>请将身份证放在读卡区</source>
        <translation>Please place your ID card on the reader</translation>
    </message>
    <message>
        <source>放好后请稍等，系统会自动读取。全程无需填表，多数事项即办即取。</source>
        <translation>Hold on a moment while it is read. No forms to fill; most services finish on the spot.</translation>
    </message>
    <message>
        <source>扫码查询办件进度</source>
        <translation>Scan a receipt to check progress</translation>
    </message>
    <message>
        <source>请取走您的身份证。</source>
        <translation>Please take your ID card with you.</translation>
    </message>
    <message>
        <source>正在读取身份证，请不要移动…</source>
        <translation>Reading your ID card, please keep it still…</translation>
    </message>
    <message>
        <source>您好，{name}</source>
        <translation>Hello, {name}</translation>
    </message>
    <message>
        <source>请选择要办理的事项</source>
        <translation>Please choose a service</translation>
    </message>
    <message>
        <source>即时办结</source>
        <translation>Done on the spot</translation>
    </message>
    <message>
        <source>需拍摄材料</source>
        <translation>Documents needed</translation>
    </message>
    <message>
        <source>查询</source>
        <translation>Look up</translation>
    </message>
    <message>
        <source>办理条件</source>
        <translation>Who can apply</translation>
    </message>
    <message>
        <source>所需材料</source>
        <translation>What you need</translation>
    </message>
    <message>
        <source>办理步骤</source>
        <translation>Steps</translation>
    </message>
    <message>
        <source>设定依据</source>
        <translation>Legal basis</translation>
    </message>
    <message>
        <source>即办</source>
        <translation>on the spot</translation>
    </message>
    <message>
        <source>收费：{fee}</source>
        <translation>Fee: {fee}</translation>
    </message>
    <message>
        <source>办理部门：{dept}</source>
        <translation>Department: {dept}</translation>
    </message>
    <message>
        <source>开始办理</source>
        <translation>Start</translation>
    </message>
    <message>
        <source>返回</source>
        <translation>Back</translation>
    </message>
    <message>
        <source>退出</source>
        <translation>Exit</translation>
    </message>
    <message>
        <source>请先放置身份证</source>
        <translation>Please place your ID card first</translation>
    </message>
    <message>
        <source>办理“{item}”需要读取您的身份证。</source>
        <translation>“{item}” needs your ID card to be read.</translation>
    </message>
    <message>
        <source>拍摄：{material}</source>
        <translation>Photograph: {material}</translation>
    </message>
    <message>
        <source>请把材料平放在拍摄区内，四角都在框内，然后按“拍照”。</source>
        <translation>Lay the document flat under the camera, all four corners inside, then press Take photo.</translation>
    </message>
    <message>
        <source>拍照</source>
        <translation>Take photo</translation>
    </message>
    <message>
        <source>重拍</source>
        <translation>Retake</translation>
    </message>
    <message>
        <source>使用这张照片</source>
        <translation>Use this photo</translation>
    </message>
    <message>
        <source>没有拍到清晰的照片。请把材料放平、不要遮挡，再试一次。</source>
        <translation>The photo is not clear. Lay the document flat, keep it uncovered and try again.</translation>
    </message>
    <message>
        <source>正在拍照…</source>
        <translation>Taking the photo…</translation>
    </message>
    <message>
        <source>请把材料平放在拍摄区内。</source>
        <translation>Lay the document flat in the camera area.</translation>
    </message>
    <message>
        <source>太暗了，请把材料移到灯光下。</source>
        <translation>Too dark. Move the document under the light.</translation>
    </message>
    <message>
        <source>反光太强，请稍微调整材料的角度。</source>
        <translation>Too much glare. Tilt the document a little.</translation>
    </message>
    <message>
        <source>请放好材料，手离开，保持不动。</source>
        <translation>Lay the document down, take your hand away and keep it still.</translation>
    </message>
    <message>
        <source>看不清字，请把材料压平。</source>
        <translation>The text is not sharp. Press the document flat.</translation>
    </message>
    <message>
        <source>很好，请保持不动，马上自动拍照…</source>
        <translation>Good, keep it still: the photo is taken automatically…</translation>
    </message>
    <message>
        <source>正在核验材料，约{seconds}秒，请稍候…</source>
        <translation>Checking the document, about {seconds} seconds…</translation>
    </message>
    <message>
        <source>✓ 材料核验通过</source>
        <translation>✓ The document passed the check</translation>
    </message>
    <message>
        <source>✗ 材料未通过核验：</source>
        <translation>✗ The document did not pass the check:</translation>
    </message>
    <message>
        <source>未能及时自动核验，可以使用这张照片，由工作人员核验。</source>
        <translation>The check took too long. You can use this photo; staff will check it.</translation>
    </message>
    <message>
        <source>暂时无法自动核验，可以使用这张照片，由工作人员核验。</source>
        <translation>The document cannot be checked automatically now. Use the photo; staff will check it.</translation>
    </message>
    <message>
        <source>摄像头暂时无法使用，请联系工作人员。</source>
        <translation>The camera is not available right now. Please ask staff for help.</translation>
    </message>
    <message>
        <source>请核对后提交</source>
        <translation>Please check, then submit</translation>
    </message>
    <message>
        <source>办理事项</source>
        <translation>Service</translation>
    </message>
    <message>
        <source>申请人</source>
        <translation>Applicant</translation>
    </message>
    <message>
        <source>证件号码</source>
        <translation>ID number</translation>
    </message>
    <message>
        <source>材料</source>
        <translation>Documents</translation>
    </message>
    <message>
        <source>已拍摄</source>
        <translation>photographed</translation>
    </message>
    <message>
        <source>已读取</source>
        <translation>read from card</translation>
    </message>
    <message>
        <source>已核验</source>
        <translation>checked</translation>
    </message>
    <message>
        <source>出租方</source>
        <translation>Lessor</translation>
    </message>
    <message>
        <source>承租方</source>
        <translation>Lessee</translation>
    </message>
    <message>
        <source>经营场所</source>
        <translation>Business premises</translation>
    </message>
    <message>
        <source>租赁期限</source>
        <translation>Lease term</translation>
    </message>
    <message>
        <source>{start} 至 {end}</source>
        <translation>{start} to {end}</translation>
    </message>
    <message>
        <source>确认提交</source>
        <translation>Submit</translation>
    </message>
    <message>
        <source>正在提交，请稍候…</source>
        <translation>Submitting, please wait…</translation>
    </message>
    <message>
        <source>通常需要几秒钟，最长约 {seconds} 秒。</source>
        <translation>Usually a few seconds, at most about {seconds} s.</translation>
    </message>
    <message>
        <source>提交没有成功，您的资料没有丢失。请按“重试”，或呼叫工作人员。</source>
        <translation>The submission did not go through; nothing is lost. Press Retry or call staff.</translation>
    </message>
    <message>
        <source>本机存储空间已满，这次申请没有提交成功。请呼叫工作人员处理，之后再按“重试”。</source>
        <translation>This terminal&apos;s storage is full, so the application was not submitted. Please call staff, then press Retry.</translation>
    </message>
    <message>
        <source>重试</source>
        <translation>Retry</translation>
    </message>
    <message>
        <source>办理成功</source>
        <translation>Approved</translation>
    </message>
    <message>
        <source>未能办理</source>
        <translation>Not approved</translation>
    </message>
    <message>
        <source>已受理</source>
        <translation>Accepted</translation>
    </message>
    <message>
        <source>办件编号：{case}</source>
        <translation>Case number: {case}</translation>
    </message>
    <message>
        <source>网络暂时不通，您的申请已安全保存，联网后自动提交。请保管好回执：在任一自助机点“查询办件进度”并扫描回执二维码即可查看结果。</source>
        <translation>The network is down; your application is saved safely and will be sent automatically. Keep your receipt: scan its QR code under “Case progress” at any terminal for the result.</translation>
    </message>
    <message>
        <source>请在下方出纸口取走证明和回执。</source>
        <translation>Please take your certificate and receipt from the slot below.</translation>
    </message>
    <message>
        <source>正在打印，请稍候…</source>
        <translation>Printing, please wait…</translation>
    </message>
    <message>
        <source>打印完成，请取走。</source>
        <translation>Printed. Please take it.</translation>
    </message>
    <message>
        <source>重新打印</source>
        <translation>Print again</translation>
    </message>
    <message>
        <source>打印机暂时无法打印，您的办件已保存。请记下上面的办件编号，按“重新打印”再试，或呼叫工作人员。</source>
        <translation>The printer cannot print right now; your case is saved. Note the case number above, press Print again, or call staff.</translation>
    </message>
    <message>
        <source>完成</source>
        <translation>Done</translation>
    </message>
    <message>
        <source>请为本次服务评价</source>
        <translation>How was this service?</translation>
    </message>
    <message>
        <source>非常满意</source>
        <translation>Very satisfied</translation>
    </message>
    <message>
        <source>满意</source>
        <translation>Satisfied</translation>
    </message>
    <message>
        <source>基本满意</source>
        <translation>Fairly satisfied</translation>
    </message>
    <message>
        <source>不满意</source>
        <translation>Dissatisfied</translation>
    </message>
    <message>
        <source>非常不满意</source>
        <translation>Very dissatisfied</translation>
    </message>
    <message>
        <source>有多满意？</source>
        <translation>How satisfied?</translation>
    </message>
    <message>
        <source>有多不满意？</source>
        <translation>How dissatisfied?</translation>
    </message>
    <message>
        <source>哪里让您不满意？可以多选，也可以直接提交。</source>
        <translation>What went wrong? Tick any that apply, or just send.</translation>
    </message>
    <message>
        <source>等待时间太长</source>
        <translation>Took too long</translation>
    </message>
    <message>
        <source>操作太难，看不懂</source>
        <translation>Hard to use or understand</translation>
    </message>
    <message>
        <source>设备故障（读卡、拍照、打印）</source>
        <translation>A device failed (card, camera, printer)</translation>
    </message>
    <message>
        <source>对办理结果不满意</source>
        <translation>Unhappy with the outcome</translation>
    </message>
    <message>
        <source>提交评价</source>
        <translation>Send rating</translation>
    </message>
    <message>
        <source>不评价，直接结束</source>
        <translation>No rating, just finish</translation>
    </message>
    <message>
        <source>谢谢您的评价！</source>
        <translation>Thank you for your rating!</translation>
    </message>
    <message>
        <source>请点一个按钮评价本次服务；不想评价可以直接离开。</source>
        <translation>Tap one button to rate this service, or simply leave.</translation>
    </message>
    <message>
        <source>感谢使用，请取走身份证和回执。</source>
        <translation>Thank you. Please take your ID card and receipt.</translation>
    </message>
    <message>
        <source>办件进度查询</source>
        <translation>Case progress</translation>
    </message>
    <message>
        <source>请把回执上的二维码对准摄像头，没有回执请把身份证放在读卡区</source>
        <translation>Hold your receipt&apos;s QR code up to the camera, or lay your ID card on the reader</translation>
    </message>
    <message>
        <source>还没有识别到二维码。请把回执拿稳，二维码朝向摄像头，距离约20厘米。</source>
        <translation>No code read yet. Hold the receipt still, QR code towards the camera, about 20 cm away.</translation>
    </message>
    <message>
        <source>正在查询…</source>
        <translation>Looking it up…</translation>
    </message>
    <message>
        <source>这不是本中心回执上的二维码，请换一张回执再试。</source>
        <translation>This is not a QR code from one of our receipts. Please try another receipt.</translation>
    </message>
    <message>
        <source>暂时无法连接政务服务中心。本机记录：该件已于 {time} 保存，正在等待提交。</source>
        <translation>The service centre cannot be reached now. This terminal saved the case at {time}; it is waiting to be sent.</translation>
    </message>
    <message>
        <source>暂时无法连接政务服务中心，请稍后再试或呼叫工作人员。</source>
        <translation>The service centre cannot be reached now. Please try later or call staff.</translation>
    </message>
    <message>
        <source>没有找到这个办件，请核对回执或呼叫工作人员。</source>
        <translation>This case was not found. Please check your receipt or call staff.</translation>
    </message>
    <message>
        <source>进行中 · 已用 {t}</source>
        <translation>In progress · {t} so far</translation>
    </message>
    <message>
        <source>已完成 · 用时 {t}</source>
        <translation>Done · took {t}</translation>
    </message>
    <message>
        <source>未开始</source>
        <translation>Not started</translation>
    </message>
    <message>
        <source>补打证书（还可{n}次）</source>
        <translation>Reprint certificate ({n} left)</translation>
    </message>
    <message>
        <source>正在打印证书…</source>
        <translation>Printing the certificate…</translation>
    </message>
    <message>
        <source>证书已重新打印，请在出证口取走。</source>
        <translation>The certificate has been printed again. Please take it from the slot.</translation>
    </message>
    <message>
        <source>这份证书的补打次数已用完，请到服务窗口办理。</source>
        <translation>This certificate cannot be reprinted here any more. Please go to a service desk.</translation>
    </message>
    <message>
        <source>打印机暂时无法打印，请稍后再试或呼叫工作人员。</source>
        <translation>The printer cannot print right now. Please try later or call staff.</translation>
    </message>
    <message>
        <source>证明真实有效：{name}，{cid}</source>
        <translation>Certificate is genuine: {name}, {cid}</translation>
    </message>
    <message>
        <source>该证明二维码校验失败，可能被篡改。</source>
        <translation>This certificate&apos;s code failed the check.</translation>
    </message>
    <message>
        <source>该证明已过有效期。</source>
        <translation>This certificate has expired.</translation>
    </message>
    <message>
        <source>无法识别签发机构的密钥。</source>
        <translation>The issuer&apos;s key is not known here.</translation>
    </message>
    <message>
        <source>二维码内容不完整。</source>
        <translation>The QR code is incomplete.</translation>
    </message>
    <message>
        <source>证明核验结果</source>
        <translation>Certificate check</translation>
    </message>
    <message>
        <source>✓ 真实有效</source>
        <translation>✓ Genuine</translation>
    </message>
    <message>
        <source>二维码由政务服务中心签发，没有被改动过。请逐项核对下面的内容和纸面是否一致，不一致即为被改动。</source>
        <translation>Issued by the service centre, unchanged. Compare each value below with the paper: any difference means it was altered.</translation>
    </message>
    <message>
        <source>✗ 核验未通过</source>
        <translation>✗ Failed the check</translation>
    </message>
    <message>
        <source>二维码的内容和签发时不一致，可能被改动过。请不要使用这份证明，并联系工作人员。</source>
        <translation>The code does not match what was issued; it may have been changed. Please do not rely on it, and ask staff.</translation>
    </message>
    <message>
        <source>已过有效期</source>
        <translation>Expired</translation>
    </message>
    <message>
        <source>这份证明是真的，但已经过了有效期。如需新的证明，请重新办理。</source>
        <translation>This certificate is real but no longer valid. Apply again for a new one.</translation>
    </message>
    <message>
        <source>暂时无法核验</source>
        <translation>Cannot be checked here</translation>
    </message>
    <message>
        <source>本机还不认识签发这份证明的密钥。请稍后再试，或请工作人员核验。</source>
        <translation>This terminal does not know the key that signed it yet. Please try later, or ask staff to check it.</translation>
    </message>
    <message>
        <source>二维码不完整</source>
        <translation>Incomplete code</translation>
    </message>
    <message>
        <source>二维码没有读全或已损坏。请把证明放平、拿稳后再扫一次。</source>
        <translation>The code was not read in full or is damaged. Hold the certificate flat and still, and scan again.</translation>
    </message>
    <message>
        <source>证明编号</source>
        <translation>Certificate no.</translation>
    </message>
    <message>
        <source>持证人</source>
        <translation>Holder</translation>
    </message>
    <message>
        <source>签发日期</source>
        <translation>Issued</translation>
    </message>
    <message>
        <source>有效期至</source>
        <translation>Valid until</translation>
    </message>
    <message>
        <source>长期有效</source>
        <translation>No end date</translation>
    </message>
    <message>
        <source>证明名称、编号</source>
        <translation>Certificate, no.</translation>
    </message>
    <message>
        <source>签发机关、日期</source>
        <translation>Issued by, on</translation>
    </message>
    <message>
        <source>下一页内容</source>
        <translation>More values</translation>
    </message>
    <message>
        <source>回到第一页</source>
        <translation>First values</translation>
    </message>
    <message>
        <source>旧版证明</source>
        <translation>Old format</translation>
    </message>
    <message>
        <source>这是旧版二维码，只能核对姓名、证件号码和编号，不能核对其他内容。请重新打印一份新证明。</source>
        <translation>An old-format code: it covers only the name, ID number and certificate number, not the other values. Please print a new certificate.</translation>
    </message>
    <message>
        <source>暂不支持的版本</source>
        <translation>Newer format</translation>
    </message>
    <message>
        <source>这个二维码的格式比本机新，暂时无法核验。请稍后再试，或请工作人员核验。</source>
        <translation>This code is of a newer format than this terminal knows. Please try later, or ask staff to check it.</translation>
    </message>
    <message>
        <source>这个二维码不是本中心的回执或证明。查进度请扫回执上的二维码。</source>
        <translation>This QR code is not one of our receipts or certificates. To check progress, scan the code on your receipt.</translation>
    </message>
    <message>
        <source>身份证读不出？拍照办理</source>
        <translation>Card can&apos;t be read? Use photos</translation>
    </message>
    <message>
        <source>拍照办理：请选择事项。身份证照片由工作人员核验后办理。</source>
        <translation>Using photos: choose a service. Staff check the card photos before deciding.</translation>
    </message>
    <message>
        <source>“{item}”是即时办结事项，必须用读卡器读取身份证原件，照片不能用于即时审批。请选其他事项，或请工作人员帮助读卡。</source>
        <translation>“{item}” is decided on the spot, which needs the card read by the reader: photos are not enough. Choose another service, or ask staff to help read the card.</translation>
    </message>
    <message>
        <source>暂时没有，承诺补交</source>
        <translation>I don&apos;t have it now: promise to bring it</translation>
    </message>
    <message>
        <source>先办理，后补交：请阅读承诺</source>
        <translation>Apply now, bring it later: your promise</translation>
    </message>
    <message>
        <source>补交期限：{date}前</source>
        <translation>Bring it by: {date}</translation>
    </message>
    <message>
        <source>按“我承诺”即表示您同意以上承诺，回执上会打印补交期限。</source>
        <translation>Pressing &quot;I promise&quot; means you agree; the receipt shows the date.</translation>
    </message>
    <message>
        <source>我承诺</source>
        <translation>I promise</translation>
    </message>
    <message>
        <source>承诺{date}前补交</source>
        <translation>to be brought by {date}</translation>
    </message>
    <message>
        <source>已拍照，由工作人员核验</source>
        <translation>photographed, staff will check</translation>
    </message>
    <message>
        <source>身份核验</source>
        <translation>Identity check</translation>
    </message>
    <message>
        <source>身份证照片（工作人员核验）</source>
        <translation>ID card photos (checked by staff)</translation>
    </message>
    <message>
        <source>未能读出</source>
        <translation>could not be read</translation>
    </message>
    <message>
        <source>您还在吗？</source>
        <translation>Are you still there?</translation>
    </message>
    <message>
        <source>为保护您的个人信息，{n} 秒后将自动退出并清除本次资料。</source>
        <translation>To protect your data, this session ends and is cleared in {n} s.</translation>
    </message>
    <message>
        <source>我还在，继续办理</source>
        <translation>I&apos;m still here</translation>
    </message>
    <message>
        <source>长辈版</source>
        <translation>Large text</translation>
    </message>
    <message>
        <source>标准版</source>
        <translation>Standard</translation>
    </message>
    <message>
        <source>重听</source>
        <translation>Repeat</translation>
    </message>
    <message>
        <source>静音</source>
        <translation>Mute</translation>
    </message>
    <message>
        <source>开声音</source>
        <translation>Sound on</translation>
    </message>
    <message>
        <source>下一步：请按“{action}”。</source>
        <translation>Next: press {action}.</translation>
    </message>
    <message>
        <source>长辈版：大字、语音</source>
        <translation>Large text and voice</translation>
    </message>
    <message>
        <source>更多事项（第{page}/{pages}页）</source>
        <translation>More services (page {page} of {pages})</translation>
    </message>
    <message>
        <source>不到1秒</source>
        <translation>under 1 s</translation>
    </message>
    <message>
        <source>{message}</source>
        <translation>{message}</translation>
    </message>
    <message>
        <source>{m}分{s}秒</source>
        <translation>{m} min {s} s</translation>
    </message>
    <message>
        <source>{h}小时{m}分</source>
        <translation>{h} h {m} min</translation>
    </message>
    <message>
        <source>{d}天{h}小时</source>
        <translation>{d} d {h} h</translation>
    </message>
    <message>
        <source>{s}秒</source>
        <translation>{s} s</translation>
    </message>
    <message>
        <source>一件事一次办</source>
        <translation>All in one application</translation>
    </message>
    <message>
        <source>需到窗口办理</source>
        <translation>At a staffed counter</translation>
    </message>
    <message>
        <source>自助服务</source>
        <translation>Self-service</translation>
    </message>
    <message>
        <source>常用事项</source>
        <translation>Most used</translation>
    </message>
    <message>
        <source>拼音搜索</source>
        <translation>Search</translation>
    </message>
    <message>
        <source>收起键盘</source>
        <translation>Hide keyboard</translation>
    </message>
    <message>
        <source>按拼音或首字母搜索，例如 jzz（居住证）</source>
        <translation>Type pinyin, its initials or English, e.g. jzz (居住证)</translation>
    </message>
    <message>
        <source>搜索：{query}</source>
        <translation>Search: {query}</translation>
    </message>
    <message>
        <source>没有找到“{query}”，请换个说法，或点下方的常用说法。</source>
        <translation>Nothing found for “{query}”. Try other words or one of the phrases below.</translation>
    </message>
    <message>
        <source>第{page}/{pages}页 · {count}项</source>
        <translation>Page {page}/{pages} · {count}</translation>
    </message>
    <message>
        <source>◀ 上一页</source>
        <translation>◀ Previous</translation>
    </message>
    <message>
        <source>下一页 ▶</source>
        <translation>Next ▶</translation>
    </message>
    <message>
        <source>“{item}”在这台自助机上暂不能办理，请到服务大厅窗口办理，或点“呼叫工作人员”。</source>
        <translation>“{item}” cannot be done on this terminal yet. Please go to a counter of the service hall, or press “Call staff”.</translation>
    </message>
    <message>
        <source>⌫ 删除</source>
        <translation>⌫ Delete</translation>
    </message>
    <message>
        <source>清空</source>
        <translation>Clear</translation>
    </message>
    <message>
        <source>常用说法：</source>
        <translation>Often asked:</translation>
    </message>
    <message>
        <source>此事项需要到服务大厅窗口办理：请带齐上面列出的材料前往窗口。</source>
        <translation>This is done at a staffed counter of the service hall: please bring the materials listed above to the counter.</translation>
    </message>
    <message>
        <source>您的身份证已于 {date} 过期，不能办理。请先到派出所换领新证（可办理临时身份证），或点“呼叫工作人员”。</source>
        <translation>Your ID card expired on {date}, so nothing can be done with it. Please renew it at a police station first (a temporary card is issued there), or press “Call staff”.</translation>
    </message>
    <message>
        <source>人证核验</source>
        <translation>Face check</translation>
    </message>
    <message>
        <source>正在读取身份证照片，约需 1 秒…</source>
        <translation>Reading the photo on your ID card, about 1 second…</translation>
    </message>
    <message>
        <source>请正对上方摄像头，摘下帽子和口罩，然后眨一眨眼。</source>
        <translation>Please look straight at the camera above, take off any hat or mask, then blink.</translation>
    </message>
    <message>
        <source>还剩 {s} 秒</source>
        <translation>{s} s left</translation>
    </message>
    <message>
        <source>没有看到您的脸，请站到屏幕正前方。</source>
        <translation>We cannot see your face: please stand right in front of the screen.</translation>
    </message>
    <message>
        <source>很好，请眨一眨眼或慢慢转一下头。</source>
        <translation>Good. Now please blink, or turn your head slowly.</translation>
    </message>
    <message>
        <source>请本人办理，正对摄像头。</source>
        <translation>Please apply in person, facing the camera.</translation>
    </message>
    <message>
        <source>这次没有看清您的脸。</source>
        <translation>We could not see your face clearly this time.</translation>
    </message>
    <message>
        <source>这次未能确认是身份证本人。</source>
        <translation>We could not confirm that you are the card&apos;s holder this time.</translation>
    </message>
    <message>
        <source>这次没有看到您眨眼或转头。</source>
        <translation>We did not see you blink or turn your head this time.</translation>
    </message>
    <message>
        <source>请再试一次（还可以试 {n} 次）。</source>
        <translation>Please try again ({n} tries left).</translation>
    </message>
    <message>
        <source>再试一次</source>
        <translation>Try again</translation>
    </message>
    <message>
        <source>跳过核验</source>
        <translation>Skip the check</translation>
    </message>
    <message>
        <source>返回首页</source>
        <translation>Back to start</translation>
    </message>
    <message>
        <source>请正对上方摄像头，摘下帽子和口罩，然后慢慢把头转向一侧，再转回来。</source>
        <translation>Look straight at the camera above, take off any hat and mask, then slowly turn your head to one side and back.</translation>
    </message>
    <message>
        <source>很好，请慢慢把头转向左边或右边，再转回来。</source>
        <translation>Good. Now slowly turn your head to the left or right, then back.</translation>
    </message>
    <message>
        <source>请正对上方摄像头，摘下帽子和口罩。</source>
        <translation>Look straight at the camera above and take off any hat and mask.</translation>
    </message>
    <message>
        <source>这次没有看到您转头。</source>
        <translation>This time we did not see you turn your head.</translation>
    </message>
    <message numerus="yes">
        <source>法定时限 %n 个工作日 · 承诺时限 {promised}</source>
        <translation>
            <numerusform>Statutory limit %n working day · Promised {promised}</numerusform>
            <numerusform>Statutory limit %n working days · Promised {promised}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n 个工作日</source>
        <translation>
            <numerusform>%n working day</numerusform>
            <numerusform>%n working days</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>您的申请已保存并受理，将在 %n 个工作日内办结。请保管好回执：在任一自助机点“查询办件进度”并扫描回执二维码即可查看结果。</source>
        <translation>
            <numerusform>Your application is saved and accepted; it is decided within %n working day. Keep your receipt: scan its QR code under “Case progress” at any terminal for the result.</numerusform>
            <numerusform>Your application is saved and accepted; it is decided within %n working days. Keep your receipt: scan its QR code under “Case progress” at any terminal for the result.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>提醒：您的身份证将于 {date} 到期（还有 %n 天），请尽早到派出所换领。</source>
        <translation>
            <numerusform>Note: your ID card expires on {date} (in %n day). Please renew it at a police station soon.</numerusform>
            <numerusform>Note: your ID card expires on {date} (in %n days). Please renew it at a police station soon.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{title}（已领取，补打还可%n次）
{issuer}</source>
        <translation>
            <numerusform>{title} (collected; %n reprint left)
{issuer}</numerusform>
            <numerusform>{title} (collected; %n reprints left)
{issuer}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>有 %n 份没能打印出来：已排队，打印机恢复后会自动打印；也可呼叫工作人员。</source>
        <translation>
            <numerusform>%n did not print: it is queued and prints when the printer is back; staff can help.</numerusform>
            <numerusform>%n did not print: they are queued and print when the printer is back; staff can help.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>已超过承诺时限 %n 天。请点“呼叫工作人员”取号到窗口询问。</source>
        <translation>
            <numerusform>%n day past the promised date. Tap “Call staff” for a ticket to a window.</numerusform>
            <numerusform>%n days past the promised date. Tap “Call staff” for a ticket to a window.</numerusform>
        </translation>
    </message>
    <message>
        <source>证照领取</source>
        <translation>Collect your certificates</translation>
    </message>
    <message>
        <source>营业执照打印</source>
        <translation>Print a business licence</translation>
    </message>
    <message>
        <source>正在查询可领取的证照，约需几秒…</source>
        <translation>Looking up what is ready for you, a few seconds…</translation>
    </message>
    <message>
        <source>以下证照已审批完成，请点选要打印的，再按“打印所选”。</source>
        <translation>These are approved. Tap the ones to print, then “Print selected”.</translation>
    </message>
    <message>
        <source>暂时没有您可领取的证照。审批完成后即可在任一自助机打印；如有疑问请呼叫工作人员。</source>
        <translation>Nothing is ready for you yet. Once approved it prints at any terminal; staff can help.</translation>
    </message>
    <message>
        <source>没有查到您担任法定代表人的企业。如有疑问请呼叫工作人员。</source>
        <translation>No enterprise lists you as its legal representative. Staff can help.</translation>
    </message>
    <message>
        <source>暂时连不上政务服务中心，无法查询可领取的证照。请稍后再试或呼叫工作人员。</source>
        <translation>The service centre cannot be reached now. Please try later or call staff.</translation>
    </message>
    <message>
        <source>{title}
{issuer} · {day} 审批</source>
        <translation>{title}
{issuer} · approved {day}</translation>
    </message>
    <message>
        <source>{title}（已领取，补打次数已用完，请到窗口）</source>
        <translation>{title} (collected; no reprints left, see a window)</translation>
    </message>
    <message>
        <source>{name}
统一社会信用代码 {uscc}</source>
        <translation>{name}
Credit code {uscc}</translation>
    </message>
    <message>
        <source>打印所选</source>
        <translation>Print selected</translation>
    </message>
    <message>
        <source>正在打印，每份约需 10 秒，请在出证口等候…</source>
        <translation>Printing, about 10 s per copy; please wait at the output tray…</translation>
    </message>
    <message>
        <source>已打印 {n} 份，请在出证口取走。</source>
        <translation>{n} printed. Please take them from the output tray.</translation>
    </message>
    <message>
        <source>该证照的补打次数已用完，请到人工窗口办理。</source>
        <translation>This document&apos;s reprints are used up; please go to a service window.</translation>
    </message>
    <message>
        <source>提醒：您的{title}将于 {day} 到期，可办理“{renew}”。</source>
        <translation>Reminder: your {title} expires on {day}; renew it with “{renew}”.</translation>
    </message>
    <message>
        <source>企业信息公示</source>
        <translation>Enterprise public record</translation>
    </message>
    <message>
        <source>正在查询企业信息…</source>
        <translation>Looking up the enterprise…</translation>
    </message>
    <message>
        <source>没有查到这家企业，请核对执照或呼叫工作人员。</source>
        <translation>This enterprise is not in the register. Check the licence or call staff.</translation>
    </message>
    <message>
        <source>暂时连不上政务服务中心，无法查询企业信息，请稍后再试。</source>
        <translation>The service centre cannot be reached now; please try later.</translation>
    </message>
    <message>
        <source>名称</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>统一社会信用代码</source>
        <translation>Credit code</translation>
    </message>
    <message>
        <source>法定代表人</source>
        <translation>Legal representative</translation>
    </message>
    <message>
        <source>类型</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>住所</source>
        <translation>Address</translation>
    </message>
    <message>
        <source>经营范围</source>
        <translation>Business scope</translation>
    </message>
    <message>
        <source>成立日期</source>
        <translation>Established</translation>
    </message>
    <message>
        <source>登记状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>登记机关</source>
        <translation>Registered by</translation>
    </message>
    <message>
        <source>取号到窗口办理</source>
        <translation>Ticket for a window</translation>
    </message>
    <message>
        <source>取号到人工窗口</source>
        <translation>A ticket for a service window</translation>
    </message>
    <message>
        <source>打印一张排队号，工作人员扫码即可接着您已办的部分继续办理，不用重新填写。</source>
        <translation>Print a queue ticket: staff scan it and continue from what you have done here.</translation>
    </message>
    <message>
        <source>打印排队号</source>
        <translation>Print a ticket</translation>
    </message>
    <message>
        <source>正在取号并打印，约需几秒…</source>
        <translation>Getting your number and printing it…</translation>
    </message>
    <message>
        <source>您的排队号：{number}</source>
        <translation>Your number: {number}</translation>
    </message>
    <message>
        <source>请到 {window} 等候叫号</source>
        <translation>Please wait for {window}</translation>
    </message>
    <message>
        <source>前面还有 {n} 人</source>
        <translation>{n} waiting before you</translation>
    </message>
    <message>
        <source>网络暂时不通：这是本机临时号，窗口会按此号叫号。</source>
        <translation>The network is down: this is a local number; the window calls it all the same.</translation>
    </message>
    <message>
        <source>排队号已打印，请取走。</source>
        <translation>Your ticket is printed; please take it.</translation>
    </message>
    <message>
        <source>排队号没能打印出来，请记下上面的号码，或呼叫工作人员。</source>
        <translation>The ticket did not print; please note the number above or call staff.</translation>
    </message>
    <message>
        <source>暂时无法取号，请直接呼叫工作人员。</source>
        <translation>No ticket can be issued now; please call staff.</translation>
    </message>
    <message>
        <source>对这家企业有意见？点一下即可匿名转交市场监管部门：</source>
        <translation>Something to tell the regulator? One touch sends it, anonymously:</translation>
    </message>
    <message>
        <source>无证经营</source>
        <translation>No licence</translation>
    </message>
    <message>
        <source>食品安全</source>
        <translation>Food safety</translation>
    </message>
    <message>
        <source>价格问题</source>
        <translation>Pricing</translation>
    </message>
    <message>
        <source>服务态度</source>
        <translation>Service</translation>
    </message>
    <message>
        <source>表扬</source>
        <translation>Praise</translation>
    </message>
    <message>
        <source>已记录，将转交市场监管部门处理。谢谢您！</source>
        <translation>Recorded; it goes to the market regulator. Thank you!</translation>
    </message>
    <message>
        <source>没能记录您的意见，请稍后再试或拨打 12315。</source>
        <translation>Your report could not be recorded; please try later or call 12315.</translation>
    </message>
    <message>
        <source>不到1分钟</source>
        <translation>under a minute</translation>
    </message>
    <message>
        <source>承诺 {day} 前办结</source>
        <translation>Promised by {day}</translation>
    </message>
    <message>
        <source>已办结</source>
        <translation>Decided</translation>
    </message>
    <message>
        <source>正在查询您名下的办件…</source>
        <translation>Looking up your cases…</translation>
    </message>
    <message>
        <source>没有查到您名下近期的办件。</source>
        <translation>No recent cases in your name.</translation>
    </message>
    <message>
        <source>{case}
{item} · {status}</source>
        <translation>{case}
{item} · {status}</translation>
    </message>
    <message>
        <source>办理中</source>
        <translation>In progress</translation>
    </message>
    <message>
        <source>已批准</source>
        <translation>Approved</translation>
    </message>
    <message>
        <source>未予批准</source>
        <translation>Not approved</translation>
    </message>
    <message>
        <source>留手机号，办结时短信告知</source>
        <translation>Leave a phone number for a text</translation>
    </message>
    <message>
        <source>办结短信通知（可选）</source>
        <translation>A text when it is decided (optional)</translation>
    </message>
    <message>
        <source>输入您的手机号，办结后发短信告知；不留也可以凭回执或身份证在自助机查询。</source>
        <translation>Type your mobile number for a text when it is decided; or check at a terminal later.</translation>
    </message>
    <message>
        <source>退格</source>
        <translation>Delete</translation>
    </message>
    <message>
        <source>确定</source>
        <translation>Confirm</translation>
    </message>
    <message>
        <source>请输入11位手机号码，以1开头。</source>
        <translation>Please type an 11-digit mobile number starting with 1.</translation>
    </message>
    <message>
        <source>已记下 {phone}，办结后将发短信告知。</source>
        <translation>Noted {phone}: you get a text when it is decided.</translation>
    </message>
    <message>
        <source>没能记下号码，请凭回执查询进度，或呼叫工作人员。</source>
        <translation>The number could not be kept; check with your receipt or call staff.</translation>
    </message>
    <message>
        <source>输入办件编号</source>
        <translation>Type the case number</translation>
    </message>
    <message>
        <source>请输入办件编号</source>
        <translation>Type your case number</translation>
    </message>
    <message>
        <source>请输入回执上办件编号的13位数字（日期8位和序号5位）。</source>
        <translation>Type the 13 digits of the case number on your receipt (8 of the date, 5 of the number).</translation>
    </message>
    <message>
        <source>还差几位数字，请核对回执。</source>
        <translation>Some digits are missing; check your receipt.</translation>
    </message>
</context>
</TS>
